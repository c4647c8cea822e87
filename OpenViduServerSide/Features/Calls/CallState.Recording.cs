using Microsoft.JSInterop;

namespace OpenViduServerSide.Features.Calls;

/// <summary>
/// openvidu-browser's recording events (contract §3.4: sent to PUBLISHERs and MODERATORs, and to a late joiner right
/// after connect), passed to <see cref="Recordings.CallRecordings"/>, which every page of the call watches: so a
/// SUBSCRIBER, whom OpenVidu does not tell, sees the indicator too.
/// </summary>
public sealed partial class CallState
{
    [JSInvokable]
    public Task OnRecordingStarted(string recordingId) =>
        view.SessionName.Length == 0 ? Task.CompletedTask : recordings.BrowserReportedAsync(view.SessionName, recordingId, started: true);

    [JSInvokable]
    public Task OnRecordingStopped(string recordingId) =>
        view.SessionName.Length == 0 ? Task.CompletedTask : recordings.BrowserReportedAsync(view.SessionName, recordingId, started: false);
}
