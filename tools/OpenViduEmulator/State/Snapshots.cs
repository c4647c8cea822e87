namespace OpenViduEmulator;

/// <summary>An immutable picture of the emulator's state, taken under its lock.</summary>
/// <param name="Version">Increases with every change of sessions, connections, streams or webhook deliveries.</param>
public sealed record EmulatorSnapshot(
    long Version,
    IReadOnlyList<SessionSnapshot> Sessions,
    IReadOnlyList<WebhookDelivery> WebhookDeliveries)
{
    public SessionSnapshot? FindSession(string sessionId) => Sessions.FirstOrDefault(s => s.Id == sessionId);

    public ConnectionSnapshot? FindConnection(string connectionId) =>
        Sessions.SelectMany(s => s.Connections).FirstOrDefault(c => c.Id == connectionId);
}

/// <param name="Active">True once somebody joined.</param>
public sealed record SessionSnapshot(
    string Id,
    string CustomSessionId,
    long CreatedAt,
    bool Active,
    IReadOnlyList<ConnectionSnapshot> Connections);

/// <param name="Status"><c>pending</c> or <c>active</c>.</param>
/// <param name="SocketOpen">True while an active participant has a WebSocket attached.</param>
public sealed record ConnectionSnapshot(
    string Id,
    string SessionId,
    string Status,
    string Role,
    string ServerData,
    string? ClientData,
    bool Record,
    string Token,
    long CreatedAt,
    long? ActiveAt,
    string? Platform,
    string? Ip,
    bool SocketOpen,
    IReadOnlyList<StreamSnapshot> Streams,
    IReadOnlyList<string> SubscribedStreamIds);

public sealed record StreamSnapshot(
    string Id,
    long CreatedAt,
    bool HasAudio,
    bool HasVideo,
    bool AudioActive,
    bool VideoActive,
    string? TypeOfVideo,
    int FrameRate,
    string? VideoDimensions);

/// <summary>One webhook event as posted to the configured endpoint.</summary>
/// <param name="Event">The event name, e.g. <c>participantJoined</c>.</param>
/// <param name="Body">The JSON body that was posted.</param>
/// <param name="StatusCode">The HTTP status got back; null when every attempt failed with an I/O error.</param>
/// <param name="Attempts">How many times it was sent (I/O failures are retried up to 5 attempts).</param>
/// <param name="Error">The last I/O error, if any.</param>
public sealed record WebhookDelivery(
    string Event,
    string Body,
    int? StatusCode,
    int Attempts,
    string? Error,
    DateTimeOffset DeliveredAt)
{
    public bool Succeeded => StatusCode == 200;
}
