using OpenViduServerSide.Features.Directory;

namespace OpenViduServerSide.Features.Calls;

/// <summary>
/// Every sentence the call page shows the person, in one place so they read alike: what happened and, where there is
/// one, what to do. <see cref="CallState"/> decides when and how loud (<see cref="NoticeLevel"/>).
/// </summary>
internal static class CallMessages
{
    // ---------- Chat ----------

    public const string ChatNotInCall = "Join the call to write in its chat.";

    // ---------- Joining ----------

    public const string BrowserCouldNotJoin = "Your browser could not start the call. Try joining again.";

    public static string JoinRefused(string? why) => $"The video server did not let you in ({why ?? "no answer"}). Try joining again.";

    // ---------- Before joining: camera and microphone ----------

    public const string JoinedWithoutDevices = "You joined without camera and microphone: you can watch and listen.";

    public const string PreviewDidNotStart = "Your browser could not show the camera preview. You can still join.";

    /// <summary>Why the pre-join could not open a device; the person may try again or join without it.</summary>
    public static string DeviceUnavailable(JsError error, string device) => error.Name switch
    {
        "NotAllowedError" or "SecurityError" =>
            $"Your browser blocked the {device}. Allow it (the icon in the address bar) and try again, or join without it.",
        "NotFoundError" or "OverconstrainedError" => $"No {device} was found. Plug one in and try again, or join without it.",
        "NotReadableError" or "AbortError" => $"Your {device} could not be started: another program may be using it. Close it and try again, or join without it.",
        _ => $"Your {device} could not be opened ({error.Message}). Try again, or join without it.",
    };

    // ---------- In the call ----------

    public const string CameraStarting = "Starting your camera…";

    /// <summary>A shared screen's caption and name: whose screen it is ("Alice's screen", "Your screen").</summary>
    public static string ScreenOf(string nickname, bool mine) => mine ? "Your screen" : $"{nickname}'s screen";

    public static string DeviceNotSwitched(string device) => $"Your browser did not switch the {device}. Try again.";

    public const string ScreenShareDidNotStart = "Your screen share did not start. Try again.";

    public static string ScreenShareStopped(string reason) => "Your screen share was stopped: " + DescribeDisconnect(reason);

    public const string CameraStoppedByModerator = "A moderator stopped your camera. You can still watch and listen.";

    public const string Reconnecting = "The connection to the video server dropped. Reconnecting…";

    public const string Reconnected = "Reconnected to the video server.";

    public const string MediaNetworkTrouble = "The media connection is having network trouble; some videos may freeze.";

    // ---------- What a moderator or an administrator said (their signals) ----------

    public static string RemovedBy(string by, string? reason) =>
        $"You were removed from the call by {by}.{(string.IsNullOrWhiteSpace(reason) ? "" : $" Reason: {reason}")}";

    public static string CallEndedBy(string by) => $"The call was ended for everyone by {by}.";

    public static string CameraStoppedBy(string by) => $"Your camera was stopped by {by}. You can still watch and listen.";

    public static string Announcement(string by, string? text) => $"Message from {by}: {text}";

    // ---------- Role switches in the call (CallState.Role.cs) ----------

    public const string NoAnswer = "no answer";

    public static string RoleSwitched(RoleSwitch change, string role) => change.Cause switch
    {
        RoleSwitchCause.LetSpeak => $"{Capitalized(change.By)} let you speak: you are publishing in this call now.",
        RoleSwitchCause.SpeakTakenBack => $"{Capitalized(change.By)} took back your turn to speak. You can still watch and listen.",
        _ => $"{Capitalized(change.By)} changed your role to {role}.",
    };

    public static string RoleNotSwitched(string why) => $"Your role in this call could not be switched ({why}). You are still in the call as before.";

    public static string RoleChangedJoinAgain(string role) => $"Your role changed to {role}. Join again to continue with it.";

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    // ---------- Why the call or a device ended ----------

    public static string DescribeDisconnect(string reason) => reason switch
    {
        "forceDisconnectByUser" => "A moderator removed you from the call.",
        "forceDisconnectByServer" => "You were removed from the call by a moderator or an administrator.",
        "sessionClosedByServer" => "The call was ended for everyone by a moderator or an administrator.",
        "networkDisconnect" => "Your connection to the video server was lost for too long. Check your network, then rejoin.",
        "nodeCrashed" or "openviduServerStopped" or "mediaServerDisconnect" => "The video server stopped. Rejoin in a moment.",
        _ => $"You were disconnected from the call ({reason}).",
    };

    public static string DescribeDeviceError(JsError error, string device) => error.Name switch
    {
        "DEVICE_ACCESS_DENIED" or "NotAllowedError" =>
            $"Your browser blocked the {device}. Allow it (the icon in the address bar) and try again; meanwhile you can watch and listen.",
        "SCREEN_CAPTURE_DENIED" or "SCREEN_SHARING_NOT_SUPPORTED" or "SCREEN_EXTENSION_DISABLED" =>
            "Screen sharing was cancelled or is not allowed in this browser.",
        "NO_INPUT_SOURCE_SET" or "INPUT_VIDEO_DEVICE_NOT_FOUND" or "INPUT_AUDIO_DEVICE_NOT_FOUND" =>
            $"No {device} was found. Plug one in and join again; meanwhile you can watch and listen.",
        "DEVICE_ALREADY_IN_USE" => $"Another program is using your {device}. Close it and join again.",
        _ => $"Your {device} could not be published ({error.Message}).",
    };
}
