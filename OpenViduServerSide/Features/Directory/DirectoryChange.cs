using OpenViduServerSide.OpenVidu;

namespace OpenViduServerSide.Features.Directory;

public enum DirectoryChangeKind
{
    /// <summary>A token was minted; the browser has not used it yet.</summary>
    Issued,

    /// <summary>The participant is in the call.</summary>
    Joined,

    /// <summary>Media state changed (stream, microphone, camera).</summary>
    Updated,

    /// <summary>The connection is gone; <see cref="DirectoryChange.Reason"/> says why.</summary>
    Left,

    /// <summary>The call (one lifetime of the session) is over; <see cref="DirectoryChange.Reason"/> says why.</summary>
    SessionEnded,

    /// <summary>
    /// The directory now agrees with OpenVidu (after the changes it made for that): whatever it does not hold ended,
    /// even if nobody said so (a restart, lost webhooks). No session: <see cref="DirectoryChange.SessionName"/> is empty.
    /// </summary>
    Reconciled,
}

/// <summary>
/// One change in the directory. Carries its own time and the call it belongs to, so a subscriber that processes
/// changes out of order (they are published outside the lock) can still merge them correctly.
/// </summary>
/// <param name="RemovedBy">For <see cref="DirectoryChangeKind.Left"/>: the user who removed the connection, when a moderator or admin did.</param>
public sealed record DirectoryChange(
    string SessionName,
    Guid CallId,
    DirectoryChangeKind Kind,
    DateTimeOffset At,
    Participant? Participant = null,
    string? Reason = null,
    string? RemovedBy = null)
{
    /// <summary>The lifetime of the session the change belongs to (none for <see cref="DirectoryChangeKind.Reconciled"/>).</summary>
    public SessionIncarnation? Incarnation { get; init; }

    /// <summary>
    /// True when another app instance made the change and this one only applied it (CallDirectory.Replication.cs): what
    /// writes to the shared database (history) leaves it to the instance that made it.
    /// </summary>
    public bool Replicated { get; init; }
}
