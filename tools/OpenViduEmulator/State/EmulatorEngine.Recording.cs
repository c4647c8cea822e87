using System.Text.Json.Nodes;
using OpenViduEmulator.Media;

namespace OpenViduEmulator.State;

/// <summary>
/// Recording (contract §1.5 recording endpoints, §2 <c>recordingStatusChanged</c>, §3.4 <c>recordingStarted</c>/<c>Stopped</c>):
/// starting → started → stopped → ready (or failed). The media plane writes the file after the stop, outside the lock.
/// </summary>
internal sealed partial class EmulatorEngine
{
    /// <summary>The roles told about recordings: <c>OPENVIDU_RECORDING_NOTIFICATION</c>'s default, publisher_moderator.</summary>
    private static readonly string[] NotifiedRoles = ["PUBLISHER", "MODERATOR"];

    private readonly List<EmulatedRecording> recordings = [];

    /// <summary><c>OPENVIDU_RECORDING_PATH</c>: one folder per recording id. Set once at start.</summary>
    public string RecordingsFolder { get; set; } = "";

    public IReadOnlyList<EmulatedRecording> RecordingsLocked => recordings;

    public EmulatedRecording? FindRecordingLocked(string recordingId) => recordings.Find(r => r.Id == recordingId);

    public string RecordingFolder(EmulatedRecording recording) => Path.Combine(RecordingsFolder, recording.Id);

    /// <summary>Where OpenVidu serves a ready recording: <c>/openvidu/recordings/{id}/{file}</c> (basic auth, contract §1.5).</summary>
    public string? RecordingUrl(EmulatedRecording recording) =>
        recording.Status == "ready" && recording.FileName is { } file
            ? $"{PublicUrl}/openvidu/recordings/{Uri.EscapeDataString(recording.Id)}/{Uri.EscapeDataString(file)}"
            : null;

    public JsonObject RecordingJson(EmulatedRecording recording) => JsonShapes.Recording(recording, RecordingUrl(recording));

    /// <summary>A new recording of <paramref name="session"/>, status starting. Its id is the session id, then <c>id~1</c>, <c>id~2</c>…</summary>
    public EmulatedRecording AddRecordingLocked(EmulatedSession session, JsonObject properties)
    {
        var id = session.Id;
        for (var n = 1; FindRecordingLocked(id) is not null; n++)
        {
            id = $"{session.Id}~{n}";
        }

        if (string.IsNullOrEmpty((string?)properties["name"]))
        {
            properties["name"] = id;
        }

        var recording = new EmulatedRecording(id, session, properties, Ids.NowMs());
        recordings.Add(recording);
        session.Recording = recording;
        return recording;
    }

    /// <summary>The media plane records: status started, the session's participants and the webhook are told.</summary>
    public void MarkRecordingStartedLocked(EmulatedRecording recording)
    {
        recording.Status = "started";
        if (FindSessionLocked(recording.SessionId) is { } session)
        {
            foreach (var participant in session.ActiveConnections.Where(c => NotifiedRoles.Contains(c.Role)))
            {
                participant.Peer?.Notify("recordingStarted", new JsonObject { ["id"] = recording.Id, ["name"] = recording.Name });
            }
        }

        RecordingWebhook(recording, reason: null);
    }

    /// <summary>The media plane could not start: status failed, the session is free to record again.</summary>
    public void MarkRecordingFailedLocked(EmulatedRecording recording)
    {
        recording.Status = "failed";
        ReleaseSessionLocked(recording);
        RecordingWebhook(recording, reason: null);
    }

    /// <summary>
    /// Stops a started recording (status stopped, duration fixed), tells the participants and the webhook, then lets the
    /// media plane write the file in the background; it becomes ready (or failed) with its size.
    /// </summary>
    public void StopRecordingLocked(EmulatedRecording recording, string reason)
    {
        var now = Ids.NowMs();
        recording.Status = "stopped";
        recording.StoppedAt = now;
        recording.Duration = Math.Round((now - recording.CreatedAt) / 1000.0, 3);
        if (FindSessionLocked(recording.SessionId) is { } session)
        {
            foreach (var participant in session.ActiveConnections.Where(c => NotifiedRoles.Contains(c.Role)))
            {
                participant.Peer?.Notify("recordingStopped", new JsonObject { ["id"] = recording.Id, ["name"] = recording.Name, ["reason"] = reason });
            }
        }

        ReleaseSessionLocked(recording);
        RecordingWebhook(recording, reason);
        var folder = RecordingFolder(recording);
        var media = Media;
        _ = Task.Run(async () =>
        {
            string? file;
            try
            {
                file = await media.StopRecordingAsync(recording.SessionId, folder, recording.Name, recording.Duration);
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException or JanusException or HttpRequestException or TaskCanceledException)
            {
                file = null;
            }

            Mutate(() => FinishRecordingLocked(recording, file, reason));
        });
    }

    private void FinishRecordingLocked(EmulatedRecording recording, string? file, string reason)
    {
        if (!recordings.Contains(recording))
        {
            return; // deleted meanwhile
        }

        if (file is not null && File.Exists(file))
        {
            recording.FileName = Path.GetFileName(file);
            recording.Size = new FileInfo(file).Length;
            recording.Status = "ready";
        }
        else
        {
            recording.Status = "failed";
        }

        RecordingWebhook(recording, reason);
    }

    /// <summary>DELETE /recordings/{id} of a stopped, ready or failed recording: forgotten, its folder removed.</summary>
    public void DeleteRecordingLocked(EmulatedRecording recording)
    {
        recordings.Remove(recording);
        var folder = RecordingFolder(recording);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A session that closes stops its recording first (contract §1.6 rule 3; see the README for the 120 s autostop).</summary>
    private void StopRecordingOnCloseLocked(EmulatedSession session, string sessionEndReason)
    {
        if (session.Recording is not { } recording)
        {
            return;
        }

        var reason = sessionEndReason == "sessionClosedByServer" ? "sessionClosedByServer" : "automaticStop";
        if (recording.Status == "started")
        {
            StopRecordingLocked(recording, reason);
        }
        else
        {
            recording.StopWhenStarted = reason;
        }
    }

    private void ReleaseSessionLocked(EmulatedRecording recording)
    {
        if (FindSessionLocked(recording.SessionId) is { } session && session.Recording == recording)
        {
            session.Recording = null;
        }
    }

    private void RecordingWebhook(EmulatedRecording recording, string? reason)
    {
        List<KeyValuePair<string, JsonNode?>> fields =
        [
            new("id", recording.Id),
            new("name", recording.Name),
            new("outputMode", recording.OutputMode),
        ];
        if (recording.IsComposedWithVideo)
        {
            fields.Add(new("resolution", recording.Properties["resolution"]?.DeepClone()));
            fields.Add(new("frameRate", recording.Properties["frameRate"]?.DeepClone()));
            fields.Add(new("recordingLayout", recording.Properties["recordingLayout"]?.DeepClone()));
        }

        fields.AddRange(
        [
            new("hasAudio", recording.HasAudio),
            new("hasVideo", recording.HasVideo),
            new("size", recording.Size),
            new("duration", recording.Duration),
            new("status", recording.Status),
            new("startTime", recording.CreatedAt),
            new("reason", reason),
        ]);
        Webhook("recordingStatusChanged", recording.SessionId, recording.UniqueSessionId, fields);
    }
}
