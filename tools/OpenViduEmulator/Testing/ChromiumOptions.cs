namespace OpenViduEmulator.Testing;

/// <summary>
/// How the tests and the bench launch Chromium: Debian's build (Playwright cannot download its own here) with a fake
/// camera and microphone. Plain strings, so the emulator does not depend on Playwright; pass them to
/// <c>BrowserTypeLaunchOptions.ExecutablePath</c> and <c>Args</c>.
/// </summary>
public static class ChromiumOptions
{
    /// <summary>Debian's Chromium.</summary>
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>Real media (Janus behind the emulator) runs on loopback addresses only: let ICE use them.</summary>
    public const string AllowLoopbackInPeerConnection = "--allow-loopback-in-peer-connection";

    /// <summary>Remote video plays without a click.</summary>
    public const string AutoplayWithoutGesture = "--autoplay-policy=no-user-gesture-required";

    /// <summary>getDisplayMedia picks the first source without asking (there is no one to ask).</summary>
    public static IReadOnlyList<string> AutoSelectScreen { get; } =
        ["--auto-select-desktop-capture-source=Entire screen", "--auto-accept-this-tab-capture"];

    /// <summary>The flags every launch uses: headless-friendly, quiet, fake media devices allowed without a prompt.</summary>
    public static IReadOnlyList<string> CommonArguments { get; } =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
    ];

    /// <summary>The common flags followed by <paramref name="extra"/>.</summary>
    public static string[] Arguments(params IEnumerable<string> extra) => [.. CommonArguments, .. extra];
}
