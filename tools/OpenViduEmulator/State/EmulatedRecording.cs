using System.Text.Json.Nodes;

namespace OpenViduEmulator.State;

/// <summary>One recording (contract §1.5 "Recording object"). Read and written only under EmulatorEngine's lock.</summary>
internal sealed class EmulatedRecording(string id, EmulatedSession session, JsonObject properties, long createdAt)
{
    public string Id { get; } = id;

    /// <summary>The session it records; it outlives the session (GET /recordings still lists it).</summary>
    public string SessionId { get; } = session.Id;

    public string UniqueSessionId { get; } = session.UniqueSessionId;

    /// <summary>name, outputMode, hasAudio, hasVideo, recordingLayout, resolution, frameRate, shmSize, … as started.</summary>
    public JsonObject Properties { get; } = properties;

    public long CreatedAt { get; } = createdAt;

    public string Name => (string)Properties["name"]!;

    public string OutputMode => (string)Properties["outputMode"]!;

    public bool HasAudio => (bool)Properties["hasAudio"]!;

    public bool HasVideo => (bool)Properties["hasVideo"]!;

    /// <summary>starting, started, stopped, ready or failed.</summary>
    public string Status { get; set; } = "starting";

    public long? StoppedAt { get; set; }

    public long Size { get; set; }

    /// <summary>Seconds between started and stopped (a float, as OpenVidu writes it).</summary>
    public double Duration { get; set; }

    /// <summary>The file's name inside the recording's folder once it is ready, e.g. <c>name.webm</c>.</summary>
    public string? FileName { get; set; }

    /// <summary>Set when its session closed while it was still starting: stop it as soon as it has started.</summary>
    public string? StopWhenStarted { get; set; }

    /// <summary>Layout fields are written only for COMPOSED recordings with video (contract §1.5).</summary>
    public bool IsComposedWithVideo => OutputMode != "INDIVIDUAL" && HasVideo;
}
