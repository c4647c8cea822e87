using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.OpenVidu;

namespace OpenViduServerSide.Features.Calls;

/// <summary>
/// One circuit's call: asks <see cref="ConnectionIssuer"/> for tokens, tells <see cref="CallDirectory"/> what the page saw, drives the browser through <see cref="OpenViduInterop"/>,
/// receives openvidu-browser's events as [JSInvokable] callbacks and keeps the page's <see cref="CallViewModel"/>.
/// Scoped, so it lives and dies with the circuit; disposing it releases the user's connections at OpenVidu.
/// </summary>
// Over 300 lines: one circuit's call is one state machine (join with retries, share, switches, leave, the call's epoch),
// and its browser events are already in CallState.Events.cs; code-shape §4 (one state value) is the next cut.
public sealed partial class CallState(
    CallDirectory directory,
    ConnectionIssuer issuer,
    OpenViduInterop browser,
    AuthenticationStateProvider authentication,
    ILogger<CallState> logger) : IAsyncDisposable
{
    private const int MaxJoinAttempts = 3;

    private readonly Dictionary<string, ConnectionData> remoteConnections = new(StringComparer.Ordinal);
    private readonly List<VideoTile> tiles = [];
    private readonly List<Func<Task>> listeners = [];
    private DotNetObjectReference<CallState>? self;

    private CallPhase phase;
    private string sessionName = "";
    private string nickname = "";
    private string userName = "";
    private string? role;
    private string? cameraConnectionId;
    private string? screenConnectionId;
    private string? pendingScreenConnectionId;
    private string? mainStreamId;
    private bool microphoneOn;
    private bool cameraOn;
    private bool screenShareBusy;
    private bool reconnecting;
    private CallNotice? notice;

    // A call is the time between two ends (ResetAsync, DisposeAsync). Work that awaited across an end belongs to a call
    // that is over: it compares the epoch it started in and releases what it got instead of touching the new state.
    private int epoch;

    // Cancelled at the end of each call, so a browser call still waiting for a person (camera prompt, screen picker)
    // is given up then, and never by a timeout while the person decides.
    private CancellationTokenSource callEnded = new();

    // Set by a moderator's signal just before OpenVidu acts, so the page can say who did it and why.
    private string? disconnectExplanation;

    public CallViewModel View { get; private set; } = CallViewModel.Empty;

    /// <summary>Calls <paramref name="onChange"/> after every change of <see cref="View"/> until disposed.</summary>
    public IDisposable OnChange(Func<Task> onChange)
    {
        listeners.Add(onChange);
        return new Unsubscriber(() => listeners.Remove(onChange));
    }

    // ---------- What the person does ----------

    public async Task JoinAsync(string name, string nick, CancellationToken cancellationToken = default)
    {
        if (phase != CallPhase.NotJoined)
        {
            return;
        }

        phase = CallPhase.Joining;
        sessionName = name;
        nickname = nick.Trim();
        notice = null;
        userName = (await authentication.GetAuthenticationStateAsync()).User.Identity?.Name ?? "";
        await ChangedAsync();

        var call = epoch;
        var (connected, failure) = await ConnectAsync(call, cancellationToken);
        if (epoch != call)
        {
            return;
        }

        if (connected is null)
        {
            await ResetAsync(new CallNotice(NoticeLevel.Error, failure!));
            return;
        }

        var (issued, result) = connected;
        phase = CallPhase.InCall;
        directory.MarkJoined(sessionName, issued.ConnectionId);
        if (result.StreamId is { } streamId)
        {
            microphoneOn = cameraOn = true;
            tiles.Insert(0, new VideoTile(streamId, issued.ConnectionId, nickname, userName, IsScreen: false, IsLocal: true, true, true));
            directory.UpdateMedia(sessionName, issued.ConnectionId, streamId, true, true);
        }
        else if (result.PublishError is { } publishError)
        {
            LogPublishFailed(publishError.Name, publishError.Message);
            notice = new CallNotice(NoticeLevel.Warning, DescribeDeviceError(publishError, "camera or microphone"));
        }

        await ChangedAsync();
    }

    private sealed record Connected(IssuedConnection Issued, JoinResult Browser);

    /// <summary>
    /// Mints a camera token and hands it to the browser. A token refused with 202 or 401 usually died with a session that
    /// closed between minting and joining (its last participant left, contract §1.6), so a fresh one is tried.
    /// Returns the connection, or what to tell the person.
    /// </summary>
    private async Task<(Connected? Connected, string? Failure)> ConnectAsync(int call, CancellationToken cancellationToken)
    {
        var session = sessionName;
        var abandoned = callEnded.Token;
        JsError? refusal = null;
        for (var attempt = 1; attempt <= MaxJoinAttempts; attempt++)
        {
            IssuedConnection issued;
            try
            {
                issued = await issuer.IssueAsync(session, userName, nickname, ConnectionKind.Camera, cancellationToken);
            }
            catch (Exception e) when (Describe(e) is { } message)
            {
                return (null, message);
            }

            if (epoch != call)
            {
                await issuer.ReleaseAsync(session, issued.ConnectionId, CancellationToken.None);
                return (null, null);
            }

            role = issued.Role;
            cameraConnectionId = issued.ConnectionId;
            self ??= DotNetObjectReference.Create(this);
            JoinResult result;
            try
            {
                result = await browser.JoinAsync(self, issued.Token, ConnectionData.ToClientData(nickname), publish: role != OpenViduRoles.Subscriber, abandoned);
            }
            catch (BrowserCallException e)
            {
                LogBrowserFailed(e, e.Operation);
                await issuer.ReleaseAsync(session, issued.ConnectionId, CancellationToken.None);
                return (null, epoch == call ? "Your browser could not start the call. Try joining again." : null);
            }

            if (epoch != call)
            {
                await issuer.ReleaseAsync(session, issued.ConnectionId, CancellationToken.None);
                return (null, null);
            }

            if (result.ConnectionId is not null)
            {
                return (new Connected(issued, result), null);
            }

            refusal = result.Error;
            LogJoinRefused(session, refusal?.Name ?? "", refusal?.Message ?? "");
            await issuer.ReleaseAsync(session, issued.ConnectionId, CancellationToken.None);
            if (epoch != call)
            {
                return (null, null);
            }

            if (refusal?.Name is not ("202" or "401"))
            {
                break;
            }
        }

        return (null, $"The video server did not let you in ({refusal?.Message ?? "no answer"}). Try joining again.");
    }

    public async Task LeaveAsync()
    {
        if (phase == CallPhase.NotJoined)
        {
            return;
        }

        try
        {
            await browser.LeaveAsync();
        }
        catch (BrowserCallException e)
        {
            // Releasing below ends the connections at OpenVidu, which disconnects the browser anyway.
            LogBrowserFailed(e, e.Operation);
        }

        await ReleaseConnectionsAsync();
        await ResetAsync(null);
    }

    public Task ToggleMicrophoneAsync() =>
        SwitchAsync("microphone", !microphoneOn, browser.SetMicrophoneAsync, on => microphoneOn = on);

    public Task ToggleCameraAsync() =>
        SwitchAsync("camera", !cameraOn, browser.SetCameraAsync, on => cameraOn = on);

    /// <summary>Changes a device only once the browser did, so the buttons never claim what the browser does not do.</summary>
    private async Task SwitchAsync(string device, bool on, Func<bool, Task> send, Action<bool> keep)
    {
        if (phase != CallPhase.InCall)
        {
            return;
        }

        var call = epoch;
        try
        {
            await send(on);
        }
        catch (BrowserCallException e)
        {
            LogBrowserFailed(e, e.Operation);
            if (epoch == call)
            {
                notice = new CallNotice(NoticeLevel.Warning, $"Your browser did not switch the {device}. Try again.");
                await ChangedAsync();
            }

            return;
        }

        if (epoch != call)
        {
            return;
        }

        keep(on);
        UpdateLocalTile();
        await ChangedAsync();
    }

    public async Task StartScreenShareAsync()
    {
        if (phase != CallPhase.InCall || screenConnectionId is not null || screenShareBusy)
        {
            return;
        }

        var call = epoch;
        var session = sessionName;
        var abandoned = callEnded.Token;
        screenShareBusy = true;
        notice = null;
        await ChangedAsync();
        IssuedConnection? issued = null;
        try
        {
            issued = await issuer.IssueAsync(session, userName, nickname, ConnectionKind.Screen);
            if (epoch != call)
            {
                return;
            }

            // Known before the browser has it, so leaving or losing the circuit meanwhile releases it too.
            pendingScreenConnectionId = issued.ConnectionId;
            var result = await browser.ShareScreenAsync(issued.Token, ConnectionData.ToClientData(nickname), abandoned);
            if (epoch != call)
            {
                return;
            }

            if (result.ConnectionId is null || result.StreamId is null)
            {
                var error = result.Error ?? new JsError("ERROR", "no answer");
                LogPublishFailed(error.Name, error.Message);
                notice = new CallNotice(NoticeLevel.Warning, DescribeDeviceError(error, "screen"));
            }
            else
            {
                screenConnectionId = issued.ConnectionId;
                issued = null;
                directory.MarkJoined(session, screenConnectionId);
                directory.UpdateMedia(session, screenConnectionId, result.StreamId, false, true);
            }
        }
        catch (BrowserCallException e)
        {
            LogBrowserFailed(e, e.Operation);
            if (epoch == call)
            {
                notice = new CallNotice(NoticeLevel.Warning, "Your screen share did not start. Try again.");
            }
        }
        catch (Exception e) when (Describe(e) is { } message)
        {
            if (epoch == call)
            {
                notice = new CallNotice(NoticeLevel.Error, message);
            }
        }
        finally
        {
            // Every way out but success (a refusal, a browser failure, a call that ended meanwhile, a bug) frees the
            // screen connection; OpenVidu then refuses it if the browser still tries to use it.
            if (issued is not null)
            {
                if (pendingScreenConnectionId == issued.ConnectionId)
                {
                    pendingScreenConnectionId = null;
                }

                await issuer.ReleaseAsync(session, issued.ConnectionId, CancellationToken.None);
            }

            if (epoch == call)
            {
                pendingScreenConnectionId = null;
                screenShareBusy = false;
                await ChangedAsync();
            }
        }
    }

    public async Task StopScreenShareAsync()
    {
        if (screenConnectionId is not { } connectionId)
        {
            return;
        }

        var session = sessionName;
        screenConnectionId = null;
        try
        {
            await browser.StopScreenAsync();
        }
        catch (BrowserCallException e)
        {
            // Releasing below ends the share at OpenVidu, which disconnects the browser's screen session anyway.
            LogBrowserFailed(e, e.Operation);
        }

        RemoveTiles(t => t.ConnectionId == connectionId);
        await issuer.ReleaseAsync(session, connectionId, CancellationToken.None);
        await ChangedAsync();
    }

    public Task SelectMainAsync(string streamId)
    {
        mainStreamId = streamId;
        return ChangedAsync();
    }

    public Task DismissNoticeAsync()
    {
        notice = null;
        return ChangedAsync();
    }

    // ---------- Plumbing ----------

    private async Task ReleaseConnectionsAsync()
    {
        var session = sessionName;
        var connections = new[] { pendingScreenConnectionId, screenConnectionId, cameraConnectionId };
        pendingScreenConnectionId = screenConnectionId = cameraConnectionId = null;
        foreach (var connectionId in connections)
        {
            if (connectionId is not null)
            {
                await issuer.ReleaseAsync(session, connectionId, CancellationToken.None);
            }
        }
    }

    /// <summary>Ends the current call for everything still awaiting in it (see <see cref="epoch"/>).</summary>
    private void EndCall()
    {
        epoch++;
        callEnded.Cancel();
        callEnded.Dispose();
        callEnded = new CancellationTokenSource();
    }

    private Task ResetAsync(CallNotice? message)
    {
        EndCall();
        phase = CallPhase.NotJoined;
        role = null;
        cameraConnectionId = screenConnectionId = pendingScreenConnectionId = mainStreamId = null;
        microphoneOn = cameraOn = reconnecting = screenShareBusy = false;
        remoteConnections.Clear();
        tiles.Clear();
        disconnectExplanation = null;
        notice = message;
        return ChangedAsync();
    }

    private void UpdateLocalTile()
    {
        var index = tiles.FindIndex(t => t.IsLocal && !t.IsScreen);
        if (index >= 0)
        {
            tiles[index] = tiles[index] with { AudioActive = microphoneOn, VideoActive = cameraOn };
            directory.UpdateMedia(sessionName, tiles[index].ConnectionId, tiles[index].StreamId, microphoneOn, cameraOn);
        }
    }

    private void RemoveTiles(Predicate<VideoTile> match)
    {
        tiles.RemoveAll(match);
        if (mainStreamId is not null && tiles.TrueForAll(t => t.StreamId != mainStreamId))
        {
            mainStreamId = null;
        }
    }

    private async Task ChangedAsync()
    {
        View = new CallViewModel(
            phase, sessionName, nickname, userName, role, microphoneOn, cameraOn, screenConnectionId is not null, screenShareBusy,
            [.. tiles.Where(t => !t.IsScreen)], [.. tiles.Where(t => t.IsScreen)], mainStreamId, notice, reconnecting);
        foreach (var listener in listeners.ToArray())
        {
            await listener();
        }
    }

    private string? Describe(Exception e)
    {
        switch (e)
        {
            case CallRefusedException:
                return e.Message;
            case OpenViduUnavailableException:
                return e.Message;
            case OpenViduException openVidu:
                LogOpenViduRefused(openVidu, (int)openVidu.Status);
                return openVidu.UserMessage;
            default:
                return null;
        }
    }

    internal static string DescribeDisconnect(string reason) => reason switch
    {
        "forceDisconnectByUser" => "A moderator removed you from the call.",
        "forceDisconnectByServer" => "You were removed from the call by a moderator or an administrator.",
        "sessionClosedByServer" => "The call was ended for everyone by a moderator or an administrator.",
        "networkDisconnect" => "Your connection to the video server was lost for too long. Check your network, then rejoin.",
        "nodeCrashed" or "openviduServerStopped" or "mediaServerDisconnect" => "The video server stopped. Rejoin in a moment.",
        _ => $"You were disconnected from the call ({reason}).",
    };

    internal static string DescribeDeviceError(JsError error, string device) => error.Name switch
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

    public async ValueTask DisposeAsync()
    {
        // The circuit is gone (tab closed, reload, lost): free this user's connections so nobody sees a ghost.
        listeners.Clear();
        var inCall = phase != CallPhase.NotJoined;
        epoch++;
        await callEnded.CancelAsync();
        if (inCall)
        {
            await ReleaseConnectionsAsync();
        }

        callEnded.Dispose();
        self?.Dispose();
    }

    private sealed class Unsubscriber(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "The browser failed to {Operation}")]
    private partial void LogBrowserFailed(Exception exception, string operation);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "OpenVidu refused the browser's join to {SessionName}: {Name} {Message}")]
    private partial void LogJoinRefused(string sessionName, string name, string message);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "Could not publish: {Name} {Message}")]
    private partial void LogPublishFailed(string name, string message);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "Disconnected from {SessionName}: {Reason}")]
    private partial void LogDisconnected(string sessionName, string reason);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Debug, Message = "Connection {ConnectionId} left: {Reason}")]
    private partial void LogRemoteLeft(string connectionId, string reason);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Information, Message = "openvidu-browser exception {Name}: {Message}")]
    private partial void LogBrowserException(string name, string message);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Warning, Message = "OpenVidu refused a call request with {Status}")]
    private partial void LogOpenViduRefused(Exception exception, int status);
}
