namespace OpenViduServerSide.Data;

/// <summary>
/// What the app knows of one OpenVidu recording that OpenVidu does not: who started it and in which call. OpenVidu keeps
/// the file, its status, size and duration; the app copies those here as the webhook and its own calls report them, so the
/// list still reads when OpenVidu is away.
/// </summary>
public sealed class RecordingEntry
{
    /// <summary>OpenVidu's recording id (the session id, or <c>id~N</c> for later ones).</summary>
    public required string Id { get; set; }

    public required string SessionName { get; set; }

    /// <summary>The directory's call id of the session lifetime recorded; null when the app never knew it.</summary>
    public Guid? CallId { get; set; }

    /// <summary>The user who started it in the app; null when it was started elsewhere (seen through the webhook).</summary>
    public string? StartedBy { get; set; }

    public DateTime StartedAt { get; set; }

    public DateTime? StoppedAt { get; set; }

    /// <summary>OpenVidu's status: starting, started, stopped, ready or failed.</summary>
    public required string Status { get; set; }

    public long Size { get; set; }

    public double DurationSeconds { get; set; }

    /// <summary>The file's name at OpenVidu (<c>name.webm</c>, <c>name.mp4</c>), from its URL once ready.</summary>
    public string? FileName { get; set; }
}
