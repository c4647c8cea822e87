using Microsoft.JSInterop;
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
        tiles.RemoveAll(t => t.StreamId == stream.StreamId);
        var isLocal = stream.IsLocal || stream.ConnectionId == screenConnectionId;
        tiles.Add(new VideoTile(stream.StreamId, stream.ConnectionId, data.Nickname, data.UserName, isScreen,
            isLocal, stream.AudioActive, stream.VideoActive, Playing: isLocal));
        return ChangedAsync();
    }

    [JSInvokable]
    public Task OnStreamPlaying(string streamId)
    {
        var index = tiles.FindIndex(t => t.StreamId == streamId);
        if (index < 0 || tiles[index].Playing)
        {
            return Task.CompletedTask;
        }

        tiles[index] = tiles[index] with { Playing = true, Stalled = false };
        return ChangedAsync();
    }

    [JSInvokable]
    public Task OnStreamDestroyed(string streamId, string reason)
    {
        RemoveTiles(t => t.StreamId == streamId);
        return ChangedAsync();
    }

    [JSInvokable]
    public Task OnStreamPropertyChanged(string streamId, string property, bool value)
    {
        var index = tiles.FindIndex(t => t.StreamId == streamId);
        if (index >= 0)
        {
            tiles[index] = property == "audioActive" ? tiles[index] with { AudioActive = value } : tiles[index] with { VideoActive = value };
        }

        return ChangedAsync();
    }

    [JSInvokable]
    public async Task OnSessionDisconnected(string reason)
    {
        LogDisconnected(sessionName, reason);
        try
        {
            await browser.StopScreenAsync();
        }
        catch (BrowserCallException e)
        {
            LogBrowserFailed(e, e.Operation);
        }

        await ReleaseConnectionsAsync();
        var explanation = reason is "forceDisconnectByServer" or "sessionClosedByServer" ? disconnectExplanation : null;
        var lost = reason is "networkDisconnect" or "nodeCrashed" or "openviduServerStopped" or "mediaServerDisconnect";
        await ResetAsync(new CallNotice(lost ? NoticeLevel.Warning : NoticeLevel.Error, explanation ?? DescribeDisconnect(reason), OffersRejoin: lost));
    }

    /// <summary>A moderator stopped what this page publishes: the person stays in the call as a viewer.</summary>
    [JSInvokable]
    public Task OnLocalStreamStopped(string streamId, string reason)
    {
        RemoveTiles(t => t.StreamId == streamId);
        microphoneOn = cameraOn = false;
        if (cameraConnectionId is not null)
        {
            directory.UpdateMedia(sessionName, cameraConnectionId, null, false, false);
        }

        notice ??= new CallNotice(NoticeLevel.Warning, "A moderator stopped your camera. You can still watch and listen.");
        return ChangedAsync();
    }

    [JSInvokable]
    public async Task OnScreenShareEnded(string reason)
    {
        if (screenConnectionId is { } connectionId)
        {
            screenConnectionId = null;
            RemoveTiles(t => t.ConnectionId == connectionId);
            await issuer.ReleaseAsync(sessionName, connectionId, CancellationToken.None);
        }

        if (reason != "browserStopped")
        {
            notice = new CallNotice(NoticeLevel.Warning, "Your screen share was stopped: " + DescribeDisconnect(reason));
        }

        await ChangedAsync();
    }

    [JSInvokable]
    public Task OnReconnecting()
    {
        reconnecting = true;
        notice = new CallNotice(NoticeLevel.Warning, "The connection to the video server dropped. Reconnecting…");
        return ChangedAsync();
    }

    [JSInvokable]
    public Task OnReconnected()
    {
        reconnecting = false;
        notice = new CallNotice(NoticeLevel.Info, "Reconnected to the video server.");
        return ChangedAsync();
    }

    [JSInvokable]
    public Task OnException(string name, string message, string? streamId = null)
    {
        LogBrowserException(name, message);
        var stalled = name == "NO_STREAM_PLAYING_EVENT" ? tiles.FindIndex(t => t.StreamId == streamId && !t.Playing) : -1;
        if (stalled >= 0)
        {
            tiles[stalled] = tiles[stalled] with { Stalled = true };
            return ChangedAsync();
        }

        if (name is "ICE_CONNECTION_FAILED" or "ICE_CONNECTION_DISCONNECTED")
        {
            notice = new CallNotice(NoticeLevel.Warning, "The media connection is having network trouble; some videos may freeze.");
            return ChangedAsync();
        }

        return Task.CompletedTask;
    }

    [JSInvokable]
    public Task OnSignal(string type, string data, string? from)
    {
        // Only the server speaks with these types: a signal from another browser (from is set) is never trusted as one.
        if (from is not null || CallSignals.Read(data) is not { } said)
        {
            return Task.CompletedTask;
        }

        var why = string.IsNullOrWhiteSpace(said.Text) ? "" : $" Reason: {said.Text}";
        switch (type)
        {
            case CallSignals.Removed:
                disconnectExplanation = $"You were removed from the call by {said.By}.{why}";
                return Task.CompletedTask;
            case CallSignals.CallEnded:
                disconnectExplanation = $"The call was ended for everyone by {said.By}.";
                return Task.CompletedTask;
            case CallSignals.StreamStopped:
                notice = new CallNotice(NoticeLevel.Warning, $"Your camera was stopped by {said.By}. You can still watch and listen.");
                return ChangedAsync();
            case CallSignals.Announcement:
                notice = new CallNotice(NoticeLevel.Info, $"Message from {said.By}: {said.Text}");
                return ChangedAsync();
            default:
                return Task.CompletedTask;
        }
    }
}
