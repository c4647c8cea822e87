using System.Text.Json;
using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.OpenVidu;

namespace OpenViduServerSide.Features.Recordings;

/// <summary>
/// What others report about a call's recording: the pages' openvidu-browser events and OpenVidu's webhook
/// (<c>recordingStatusChanged</c>, also for recordings started elsewhere). Both keep the in-memory indicator true; the
/// webhook, received on this instance, also updates the stored <see cref="Data.RecordingEntry"/>.
/// </summary>
public sealed partial class CallRecordings
{
    /// <summary>A page's openvidu-browser said a recording started (also right after a late join) or stopped.</summary>
    public async Task BrowserReportedAsync(string sessionName, string recordingId, bool started)
    {
        if (!started)
        {
            Forget(sessionName, recordingId);
            return;
        }

        if (Current(sessionName)?.Id == recordingId)
        {
            return;
        }

        // Its start time: OpenVidu's, when it still answers; else now, the moment the page learnt of it.
        try
        {
            var recording = await openVidu.GetRecordingAsync(recordingId);
            if (recording is { Status: "started" or "starting" })
            {
                Observe(sessionName, new ActiveRecording(recordingId, DateTimeOffset.FromUnixTimeMilliseconds(recording.CreatedAt)));
            }

            return;
        }
        catch (Exception e) when (e is OpenViduException or OpenViduUnavailableException)
        {
            LogLookupFailed(e, recordingId);
        }

        Observe(sessionName, new ActiveRecording(recordingId, clock.GetUtcNow()));
    }

    /// <summary>OpenVidu's <c>recordingStatusChanged</c>: keeps the indicator and the stored list true (contract §2).</summary>
    public void OnEvent(string name, JsonElement body) => OnEvent(name, body, save: true);

    /// <summary>The same event posted to another instance: the indicator here; that instance stores it.</summary>
    public void OnEventAtAnotherInstance(string name, JsonElement body) => OnEvent(name, body, save: false);

    private void OnEvent(string name, JsonElement body, bool save)
    {
        if (name != "recordingStatusChanged"
            || Text(body, "id") is not { } id || Text(body, "sessionId") is not { } sessionName || Text(body, "status") is not { } status)
        {
            return;
        }

        var startTime = body.TryGetProperty("startTime", out var st) && st.TryGetInt64(out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : clock.GetUtcNow();
        var size = body.TryGetProperty("size", out var sz) && sz.TryGetInt64(out var bytes) ? bytes : 0;
        var duration = body.TryGetProperty("duration", out var d) && d.TryGetDouble(out var seconds) ? seconds : 0;
        Guid? callId = Text(body, "uniqueSessionId") is { } unique && unique.LastIndexOf('_') is > 0 and var cut
            && long.TryParse(unique[(cut + 1)..], out var createdAt)
                ? CallDirectory.CallIdOf(new SessionIncarnation(unique[..cut], createdAt))
                : null;
        if (status is "started" or "starting")
        {
            Observe(sessionName, new ActiveRecording(id, startTime));
        }
        else
        {
            Forget(sessionName, id);
        }

        if (!save)
        {
            return;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        _ = SaveAsync(id, entry =>
        {
            entry.SessionName = sessionName;
            entry.CallId ??= callId;
            entry.Status = status;
            entry.Size = size;
            entry.DurationSeconds = duration;
            if (entry.StartedAt == default)
            {
                entry.StartedAt = startTime.UtcDateTime;
            }

            if (status is "stopped" or "ready" or "failed")
            {
                entry.StoppedAt ??= now;
            }
        });
    }

    private static string? Text(JsonElement body, string field) =>
        body.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
