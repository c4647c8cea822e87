namespace OpenViduServerSide.Features.Directory;

/// <summary>One OpenVidu connection as the server knows it. A user sharing their screen has two.</summary>
/// <param name="CallId">The id of one lifetime of the session (derived from OpenVidu's uniqueSessionId): a call that ends and is started again under the same name is another call.</param>
public sealed record Participant(
    Guid CallId,
    string SessionName,
    string ConnectionId,
    string UserName,
    string Nickname,
    string Role,
    ConnectionKind Kind,
    DateTimeOffset IssuedAt,
    DateTimeOffset? JoinedAt = null,
    string? StreamId = null,
    bool MicrophoneOn = false,
    bool CameraOn = false)
{
    /// <summary>The token was used: the browser is in the call (pending connections are not counted, contract P4).</summary>
    public bool IsActive => JoinedAt is not null;

    /// <summary>
    /// When this directory first held the connection, on this server's clock (the other times may come from OpenVidu's):
    /// what reconciliation and the expiry of unused connections compare with.
    /// </summary>
    public DateTimeOffset AddedAt { get; init; }

    /// <summary>When this person raised their hand (kept on their camera connection); null while it is down.</summary>
    public DateTimeOffset? HandRaisedAt { get; init; }
}

/// <summary>What the server hands a browser: the connection and its single-use token.</summary>
public sealed record IssuedConnection(string SessionName, string ConnectionId, string Token, string Role);

/// <summary>A request the rules refuse; the message is for the person who made it.</summary>
public sealed class CallRefusedException(string message) : Exception(message);
