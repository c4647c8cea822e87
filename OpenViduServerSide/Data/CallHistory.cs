using System.ComponentModel.DataAnnotations;

namespace OpenViduServerSide.Data;

/// <summary>One call: one lifetime of an OpenVidu session, from the first join to its end.</summary>
public sealed class CallRecord
{
    /// <summary>Holds the longest call name the app allows (Data cannot name Features; a test checks it fits).</summary>
    public const int SessionNameMaxLength = 100;

    /// <summary>The directory's call id (not OpenVidu's session id, which is reused when a name is used again).</summary>
    public Guid Id { get; set; }

    public required string SessionName { get; set; }

    public DateTime StartedAt { get; set; }

    public DateTime? EndedAt { get; set; }

    /// <summary>OpenVidu's reason, e.g. lastParticipantLeft or sessionClosedByServer.</summary>
    public string? EndReason { get; set; }

    public List<Participation> Participations { get; } = [];
}

/// <summary>One connection in a call: a person's camera, or their screen share.</summary>
public sealed class Participation
{
    /// <summary>
    /// Wider than the nickname the app mints (50): older rows and other OpenVidu clients' nicknames fit, and a test
    /// checks the app's limit stays within it. Chat messages store nicknames in the same width. Changing it would need
    /// a migration.
    /// </summary>
    public const int NicknameMaxLength = 100;

    public long Id { get; set; }

    public Guid CallRecordId { get; set; }

    public CallRecord? Call { get; set; }

    /// <summary>OpenVidu's connection id; unique, so two sources reporting the same join write one row.</summary>
    public required string ConnectionId { get; set; }

    public required string UserName { get; set; }

    public required string Nickname { get; set; }

    public required string Role { get; set; }

    public bool IsScreen { get; set; }

    public DateTime JoinedAt { get; set; }

    public DateTime? LeftAt { get; set; }

    /// <summary>OpenVidu's reason, e.g. disconnect, forceDisconnectByUser, networkDisconnect.</summary>
    public string? LeftReason { get; set; }

    /// <summary>The user name of the moderator or admin who removed this connection, when one did (the attendance report says so).</summary>
    [MaxLength(AuditEntry.NameMaxLength)]
    public string? RemovedBy { get; set; }
}
