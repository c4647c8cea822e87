using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using OpenViduServerSide.Features.Accounts;
using OpenViduServerSide.Features.Chat;
using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Features.Recordings;
using OpenViduServerSide.OpenVidu;

namespace OpenViduServerSide.Features.Calls;

/// <summary>
/// One circuit's call: asks <see cref="ConnectionIssuer"/> for tokens, tells <see cref="CallDirectory"/> what the page saw, drives the browser through <see cref="OpenViduInterop"/>,
/// receives openvidu-browser's events as [JSInvokable] callbacks and keeps the page's <see cref="CallViewModel"/>.
/// Scoped, so it lives and dies with the circuit; disposing it releases the user's connections at OpenVidu.
/// </summary>
public sealed partial class CallState(
    CallDirectory directory,
    ConnectionIssuer issuer,
    ChatRoom chatRoom,
    CallRecordings recordings,
    OpenViduInterop browser,
    AuthenticationStateProvider authentication,
    ILogger<CallState> logger) : IAsyncDisposable
{
    // Over 300 lines, on purpose: one circuit's call is one state machine (join with retries, switches, leave) whose
    // every await follows the same rules (the epoch, callEnded, the pending screen connection), best read together.
    // The screen share is in CallState.Screen.cs, the chat in CallState.Chat.cs, the browser's events in
    // CallState.Events.cs, device switches in CallState.Devices.cs, the layout in CallState.Layout.cs, the recording
    // indicator in CallState.Recording.cs, role switches in CallState.Role.cs and the sentences in CallMessages.cs.
    private const int MaxJoinAttempts = 3;

    private readonly Dictionary<string, ConnectionData> remoteConnections = new(StringComparer.Ordinal);
    private readonly List<Func<Task>> listeners = [];
    private DotNetObjectReference<CallState>? self;

    // What the page shows, changed with `with` as things happen and published as View by ChangedAsync, so the page
    // never renders a change that is only half made. Everything below it the page does not show.
    private CallViewModel view = CallViewModel.Empty;

    private string? cameraConnectionId;
    private string? screenConnectionId;
    private string? pendingScreenConnectionId;

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
        if (view.Phase != CallPhase.NotJoined)
        {
            return;
        }

        var sessionName = name;
        var nickname = nick.Trim();
        view = view with { Phase = CallPhase.Joining, SessionName = sessionName, Nickname = nickname, Notice = null };
        var userName = (await authentication.GetAuthenticationStateAsync()).User.Identity?.Name ?? "";
        view = view with { UserName = userName };
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

        var (issued, _) = connected;
        var publishes = Publishes(issued.Role);
        view = view with { Phase = CallPhase.InCall, ConnectionId = issued.ConnectionId, CameraStarting = publishes };
        directory.MarkJoined(sessionName, issued.ConnectionId);
        if (issued.Role != Roles.Subscriber && !joinMedia.PublishesAnything)
        {
            Say(NoticeLevel.Info, CallMessages.JoinedWithoutDevices);
        }

        // The call shows now: other people's videos bind while this page's camera is still being published.
        await ChangedAsync();
        await LoadChatAsync(sessionName, issued.ConnectionId, call);
        if (publishes && epoch == call)
        {
            await ShowPublishedCameraAsync(issued.ConnectionId, call);
        }
    }

    private bool Publishes(string role) => role != Roles.Subscriber && joinMedia.PublishesAnything;

    private async Task ShowPublishedCameraAsync(string connectionId, int call)
    {
        var published = await browser.TryCameraPublishedAsync(callEnded.Token);
        if (epoch != call || cameraConnectionId != connectionId)
        {
            // Left, or a role switch replaced the connection (and publishes its own camera).
            return;
        }

        view = view with { CameraStarting = false };
        if (ShowOwnCamera(connectionId, published ?? new CameraPublished(null, new JsError("BROWSER", "no answer from the browser")))
            is { } problem)
        {
            Say(NoticeLevel.Warning, problem);
        }

        await ChangedAsync();
    }

    /// <summary>
    /// Puts this page's published camera first among the tiles, with what the browser really publishes (the pre-join may
    /// have started a device muted or left it out); or says why there is none (null: nothing to say).
    /// </summary>
    private string? ShowOwnCamera(string connectionId, CameraPublished published)
    {
        if (published.StreamId is { } streamId)
        {
            var (microphoneOn, cameraOn) = (published.AudioActive ?? true, published.VideoActive ?? true);
            var camera = new VideoTile(streamId, connectionId, view.Nickname, view.UserName, IsScreen: false, IsLocal: true, microphoneOn, cameraOn);
            view = view with { MicrophoneOn = microphoneOn, CameraOn = cameraOn, Tiles = view.Tiles.Insert(0, camera) };
            directory.UpdateMedia(view.SessionName, connectionId, streamId, microphoneOn, cameraOn);
            return null;
        }

        if (published.PublishError is not { } error)
        {
            return null;
        }

        LogPublishFailed(error.Name, error.Message);
        return CallMessages.DescribeDeviceError(error, "camera or microphone");
    }

    private sealed record Connected(IssuedConnection Issued, JoinResult Browser);

    /// <summary>
    /// Mints a camera token and hands it to the browser. A token refused with 202 or 401 usually died with a session that
    /// closed between minting and joining (its last participant left, contract §1.6), so a fresh one is tried.
    /// Returns the connection, or what to tell the person.
    /// </summary>
    private async Task<(Connected? Connected, string? Failure)> ConnectAsync(int call, CancellationToken cancellationToken)
    {
        var (session, userName, nickname) = (view.SessionName, view.UserName, view.Nickname);
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

            view = view with { Role = issued.Role };
            cameraConnectionId = issued.ConnectionId;
            self ??= DotNetObjectReference.Create(this);
            var result = await browser.TryJoinAsync(self, issued.Token, ConnectionData.ToClientData(nickname), Publishes(issued.Role), joinMedia, abandoned);
            if (result is null)
            {
                await issuer.ReleaseAsync(session, issued.ConnectionId, CancellationToken.None);
                return (null, epoch == call ? CallMessages.BrowserCouldNotJoin : null);
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

        return (null, CallMessages.JoinRefused(refusal?.Message));
    }

    public async Task LeaveAsync()
    {
        if (view.Phase == CallPhase.NotJoined)
        {
            return;
        }

        // If the browser fails to, releasing below ends the connections at OpenVidu, which disconnects it anyway.
        await browser.TryLeaveAsync();

        await ReleaseConnectionsAsync();
        await ResetAsync(null);
    }

    public Task ToggleMicrophoneAsync() =>
        SwitchAsync("microphone", !view.MicrophoneOn, browser.TrySetMicrophoneAsync, on => view with { MicrophoneOn = on });

    public Task ToggleCameraAsync() =>
        SwitchAsync("camera", !view.CameraOn, browser.TrySetCameraAsync, on => view with { CameraOn = on });

    /// <summary>Changes a device only once the browser did, so the buttons never claim what the browser does not do.</summary>
    private async Task SwitchAsync(string device, bool on, Func<bool, Task<bool>> send, Func<bool, CallViewModel> switched)
    {
        if (view.Phase != CallPhase.InCall)
        {
            return;
        }

        var call = epoch;
        var done = await send(on);
        if (epoch != call)
        {
            return;
        }

        if (done)
        {
            view = switched(on);
            UpdateLocalTile();
        }
        else
        {
            Say(NoticeLevel.Warning, CallMessages.DeviceNotSwitched(device));
        }

        await ChangedAsync();
    }

    public Task SelectMainAsync(string streamId)
    {
        // A tile chosen in the grid becomes the main video of the speaker layout.
        view = view with { MainStreamId = streamId, Layout = CallLayout.Speaker };
        return ChangedAsync();
    }

    /// <summary>Raises this person's hand, or lowers it. The directory tells every page, this one included.</summary>
    public Task ToggleHandAsync()
    {
        if (view.Phase == CallPhase.InCall && cameraConnectionId is { } connectionId)
        {
            var raised = directory.FindParticipant(view.SessionName, connectionId)?.HandRaisedAt is not null;
            directory.SetHand(view.SessionName, connectionId, !raised);
        }

        return Task.CompletedTask;
    }

    public Task ToggleShortcutsAsync()
    {
        view = view with { ShortcutsOpen = !view.ShortcutsOpen };
        return ChangedAsync();
    }

    public Task ToggleFullscreenAsync() => browser.TryToggleFullscreenAsync();

    public Task DismissNoticeAsync()
    {
        view = view with { Notice = null };
        return ChangedAsync();
    }

    // ---------- Plumbing ----------

    private async Task ReleaseConnectionsAsync()
    {
        var session = view.SessionName;
        var connections = new[] { pendingScreenConnectionId, screenConnectionId, cameraConnectionId };
        pendingScreenConnectionId = screenConnectionId = cameraConnectionId = null;
        view = view with { SharingScreen = false };
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

    /// <summary>Back to the join form, which keeps the last call's name and nickname to join again.</summary>
    private Task ResetAsync(CallNotice? notice)
    {
        EndCall();
        cameraConnectionId = screenConnectionId = pendingScreenConnectionId = null;
        remoteConnections.Clear();
        disconnectExplanation = null;
        view = CallViewModel.Empty with { SessionName = view.SessionName, Nickname = view.Nickname, UserName = view.UserName, Notice = notice, Layout = view.Layout };
        return ChangedAsync();
    }

    private void Say(NoticeLevel level, string message) => view = view with { Notice = new CallNotice(level, message) };

    private void UpdateLocalTile()
    {
        var (sessionName, microphoneOn, cameraOn) = (view.SessionName, view.MicrophoneOn, view.CameraOn);
        var tiles = view.Tiles;
        var index = tiles.FindIndex(t => t.IsLocal && !t.IsScreen);
        if (index >= 0)
        {
            tiles = tiles.SetItem(index, tiles[index] with { AudioActive = microphoneOn, VideoActive = cameraOn });
            view = view with { Tiles = tiles };
            directory.UpdateMedia(sessionName, tiles[index].ConnectionId, tiles[index].StreamId, microphoneOn, cameraOn);
        }
    }

    /// <summary>Changes the first tile that matches; false if none does.</summary>
    private bool ChangeTile(Predicate<VideoTile> match, Func<VideoTile, VideoTile> change)
    {
        var index = view.Tiles.FindIndex(match);
        if (index < 0)
        {
            return false;
        }

        view = view with { Tiles = view.Tiles.SetItem(index, change(view.Tiles[index])) };
        return true;
    }

    /// <summary>Removes tiles, and the choice of main video if it was one of them.</summary>
    private void RemoveTiles(Predicate<VideoTile> match)
    {
        var tiles = view.Tiles.RemoveAll(match);
        var mainStreamId = tiles.Exists(t => t.StreamId == view.MainStreamId) ? view.MainStreamId : null;
        view = view with { Tiles = tiles, MainStreamId = mainStreamId };
    }

    private async Task ChangedAsync()
    {
        View = view;
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

    public async ValueTask DisposeAsync()
    {
        // The circuit is gone (tab closed, reload, lost): free this user's connections so nobody sees a ghost.
        listeners.Clear();
        var inCall = view.Phase != CallPhase.NotJoined;
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
