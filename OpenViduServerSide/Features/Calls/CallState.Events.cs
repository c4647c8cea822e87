using Microsoft.JSInterop;
using OpenViduServerSide.Features.Chat;
using OpenViduServerSide.Features.Directory;

namespace OpenViduServerSide.Features.Calls;

/// <summary>The openvidu-browser events openvidu-interop.js forwards, each turned into a change of the view model.</summary>
public sealed partial class CallState
{
    [JSInvokable]
    public Task OnConnectionCreated(string connectionId, string data)
    {
        remoteConnections[connectionId] = ConnectionData.Parse(data);
        return ChangedAsync();
    }

    [JSInvokable]
    public Task OnConnectionDestroyed(string connectionId, string reason)
    {
        remoteConnections.Remove(connectionId);
        RemoveTiles(t => t.ConnectionId == connectionId);
        LogRemoteLeft(connectionId, reason);
        return ChangedAsync();
    }

    [JSInvokable]
    public Task OnStreamCreated(StreamInfo stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var data = ConnectionData.Parse(stream.ConnectionData);
        var isScreen = stream.TypeOfVideo == "SCREEN" || data.Kind == ConnectionKind.Screen;
        var isLocal = stream.IsLocal || stream.ConnectionId == screenConnectionId;
        var tile = new VideoTile(stream.StreamId, stream.ConnectionId, data.Nickname, data.UserName, isScreen,
            isLocal, stream.AudioActive, stream.VideoActive, Playing: isLocal);
        view = view with { Tiles = view.Tiles.RemoveAll(t => t.StreamId == stream.StreamId).Add(tile) };
        if (isScreen)
        {
            // A new share comes to the front (CallStage): an earlier choice of main video gives way to it.
            view = view with { MainStreamId = null };
        }

        return ChangedAsync();
    }

    [JSInvokable]
    public Task OnStreamPlaying(string streamId) =>
        ChangeTile(t => t.StreamId == streamId && !t.Playing, t => t with { Playing = true, Stalled = false })
            ? ChangedAsync()
            : Task.CompletedTask;

    [JSInvokable]
    public Task OnStreamDestroyed(string streamId, string reason)
    {
        RemoveTiles(t => t.StreamId == streamId);
        return ChangedAsync();
    }

    [JSInvokable]
    public Task OnStreamPropertyChanged(string streamId, string property, bool value)
    {
        ChangeTile(t => t.StreamId == streamId, t => property == "audioActive" ? t with { AudioActive = value } : t with { VideoActive = value });
        return ChangedAsync();
    }

    [JSInvokable]
    public async Task OnSessionDisconnected(string reason)
    {
        LogDisconnected(view.SessionName, reason);
        // If the browser fails to, releasing below ends the share at OpenVidu.
        await browser.TryStopScreenAsync();

        await ReleaseConnectionsAsync();
        var explanation = reason is "forceDisconnectByServer" or "sessionClosedByServer" ? disconnectExplanation : null;
        var lost = reason is "networkDisconnect" or "nodeCrashed" or "openviduServerStopped" or "mediaServerDisconnect";
        await ResetAsync(new CallNotice(lost ? NoticeLevel.Warning : NoticeLevel.Error, explanation ?? CallMessages.DescribeDisconnect(reason), OffersRejoin: lost));
    }

    /// <summary>A moderator stopped what this page publishes: the person stays in the call as a viewer.</summary>
    [JSInvokable]
    public Task OnLocalStreamStopped(string streamId, string reason)
    {
        RemoveTiles(t => t.StreamId == streamId);
        // A moderator's signal usually came first and already said who it was.
        var notice = view.Notice ?? new CallNotice(NoticeLevel.Warning, CallMessages.CameraStoppedByModerator);
        view = view with { MicrophoneOn = false, CameraOn = false, Notice = notice };
        var sessionName = view.SessionName;
        if (cameraConnectionId is not null)
        {
            directory.UpdateMedia(sessionName, cameraConnectionId, null, false, false);
        }

        return ChangedAsync();
    }

    [JSInvokable]
    public async Task OnScreenShareEnded(string reason)
    {
        var sessionName = view.SessionName;
        if (screenConnectionId is { } connectionId)
        {
            screenConnectionId = null;
            view = view with { SharingScreen = false };
            RemoveTiles(t => t.ConnectionId == connectionId);
            await issuer.ReleaseAsync(sessionName, connectionId, CancellationToken.None);
        }

        if (reason != "browserStopped")
        {
            Say(NoticeLevel.Warning, CallMessages.ScreenShareStopped(reason));
        }

        await ChangedAsync();
    }

    [JSInvokable]
    public Task OnReconnecting()
    {
        view = view with { Reconnecting = true, Notice = new CallNotice(NoticeLevel.Warning, CallMessages.Reconnecting) };
        return ChangedAsync();
    }

    [JSInvokable]
    public Task OnReconnected()
    {
        view = view with { Reconnecting = false, Notice = new CallNotice(NoticeLevel.Info, CallMessages.Reconnected) };
        return ChangedAsync();
    }

    [JSInvokable]
    public Task OnException(string name, string message, string? streamId = null)
    {
        LogBrowserException(name, message);
        if (name == "NO_STREAM_PLAYING_EVENT" && ChangeTile(t => t.StreamId == streamId && !t.Playing, t => t with { Stalled = true }))
        {
            return ChangedAsync();
        }

        if (name is "ICE_CONNECTION_FAILED" or "ICE_CONNECTION_DISCONNECTED")
        {
            Say(NoticeLevel.Warning, CallMessages.MediaNetworkTrouble);
            return ChangedAsync();
        }

        return Task.CompletedTask;
    }

    [JSInvokable]
    public Task OnSignal(string type, string data, string? from)
    {
        // Only the server speaks with these types: a signal from another browser (from is set) is never trusted as one.
        if (from is null && type == ChatRoom.SignalType && ChatLine.FromJson(data) is { } line)
        {
            return OnChatLine(line);
        }

        if (from is not null || CallSignals.Read(data) is not { } said)
        {
            return Task.CompletedTask;
        }

        switch (type)
        {
            case CallSignals.Removed:
                disconnectExplanation = CallMessages.RemovedBy(said.By, said.Text);
                return Task.CompletedTask;
            case CallSignals.CallEnded:
                disconnectExplanation = CallMessages.CallEndedBy(said.By);
                return Task.CompletedTask;
            case CallSignals.StreamStopped:
                Say(NoticeLevel.Warning, CallMessages.CameraStoppedBy(said.By));
                return ChangedAsync();
            case CallSignals.Announcement:
                Say(NoticeLevel.Info, CallMessages.Announcement(said.By, said.Text));
                return ChangedAsync();
            default:
                return Task.CompletedTask;
        }
    }

    private Task OnChatLine(ChatLine line)
    {
        if (view.Chat.Exists(l => l.Id == line.Id))
        {
            return Task.CompletedTask;
        }

        var unseen = !view.ChatOpen && line.UserName != view.UserName;
        view = view with { Chat = MergeChat(view.Chat, [line]), UnreadChat = view.UnreadChat + (unseen ? 1 : 0) };
        return ChangedAsync();
    }

    [JSInvokable]
    public Task OnSpeaking(string streamId, bool speaking)
    {
        var index = view.Tiles.FindIndex(t => t.StreamId == streamId);
        if (index < 0 || view.Tiles[index].Speaking == speaking)
        {
            return Task.CompletedTask;
        }

        view = view with { Tiles = view.Tiles.SetItem(index, view.Tiles[index] with { Speaking = speaking }) };
        return ChangedAsync();
    }

    /// <summary>A keyboard shortcut (openvidu-interop.js): the same action as its button.</summary>
    [JSInvokable]
    public Task OnShortcut(string action) => view.Phase != CallPhase.InCall ? Task.CompletedTask : action switch
    {
        "microphone" when view.HasLocalCamera => ToggleMicrophoneAsync(),
        "camera" when view.HasLocalCamera => ToggleCameraAsync(),
        "screen" when view.CanPublish && !view.ScreenShareBusy => view.SharingScreen ? StopScreenShareAsync() : StartScreenShareAsync(),
        "hand" => ToggleHandAsync(),
        "chat" => ToggleChatAsync(),
        "help" => ToggleShortcutsAsync(),
        _ => Task.CompletedTask,
    };
}
