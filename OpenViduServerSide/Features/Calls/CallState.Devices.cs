namespace OpenViduServerSide.Features.Calls;

// The devices the call publishes: chosen in the pre-join (JoinMedia, kept for a rejoin) and switched in the call.
public sealed partial class CallState
{
    // What the browser publishes at join; a rejoin (lost call, crash) reuses it.
    private JoinMedia joinMedia = JoinMedia.Default;

    /// <summary>Joins publishing <paramref name="media"/>, the pre-join's choice.</summary>
    public Task JoinAsync(string name, string nick, JoinMedia media, CancellationToken cancellationToken = default)
    {
        if (view.Phase == CallPhase.NotJoined)
        {
            joinMedia = media;
        }

        return JoinAsync(name, nick, cancellationToken);
    }

    /// <summary>
    /// Publishes another camera or microphone without leaving the call. Nothing changes unless the browser did: a device
    /// that cannot be opened leaves the old one published, and the person is told.
    /// </summary>
    public async Task SwitchDeviceAsync(DeviceKind kind, string deviceId)
    {
        if (view.Phase != CallPhase.InCall || !view.HasLocalCamera)
        {
            return;
        }

        var call = epoch;
        var devices = await browser.TrySwitchDeviceAsync(kind, deviceId);
        if (epoch != call)
        {
            return;
        }

        if (devices is null)
        {
            Say(NoticeLevel.Warning, CallMessages.DeviceNotSwitched(kind == DeviceKind.Camera ? "camera" : "microphone"));
            await ChangedAsync();
            return;
        }

        LogDeviceSwitched(kind);
        joinMedia = kind == DeviceKind.Camera ? joinMedia with { CameraId = deviceId } : joinMedia with { MicrophoneId = deviceId };
    }

    [LoggerMessage(EventId = 3120, Level = LogLevel.Debug, Message = "Switched the published {Kind}")]
    private partial void LogDeviceSwitched(DeviceKind kind);
}
