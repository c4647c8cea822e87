using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenViduServerSide.OpenVidu;

// Wire shapes of OpenVidu 2.32's REST API (openvidu-contract.md §1.3, §1.4, §1.5). Only what the app reads is declared;
// unknown fields are ignored.

public sealed record SessionProperties(
    string? CustomSessionId = null,
    string? MediaMode = null,
    string? RecordingMode = null,
    string? ForcedVideoCodec = null,
    bool? AllowTranscoding = null);

public sealed record OpenViduSession(
    string Id,
    long CreatedAt,
    bool Recording,
    string MediaMode,
    string RecordingMode,
    string CustomSessionId,
    ConnectionPage Connections,
    bool Broadcasting = false);

/// <summary>
/// One lifetime of a session name. OpenVidu's <c>uniqueSessionId</c> (in every webhook) is the session id and its creation
/// time, so a session closed and created again under the same name is told apart (contract §2).
/// </summary>
public readonly record struct SessionIncarnation(string SessionId, long CreatedAt)
{
    public string UniqueSessionId => $"{SessionId}_{CreatedAt}";

    /// <summary>Reads <c>sessionId_createdAt</c>; null when it is missing or not of that form.</summary>
    public static SessionIncarnation? Parse(string? uniqueSessionId)
    {
        var split = uniqueSessionId?.LastIndexOf('_') ?? -1;
        return split > 0 && long.TryParse(uniqueSessionId.AsSpan(split + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var createdAt)
            ? new SessionIncarnation(uniqueSessionId![..split], createdAt)
            : null;
    }
}

/// <summary>A new connection, and the session lifetime it was created in when that had to be learned.</summary>
public sealed record SessionConnection(OpenViduConnection Connection, SessionIncarnation? Session);

public sealed record ConnectionPage(int NumberOfElements, IReadOnlyList<OpenViduConnection> Content);

public sealed record SessionPage(int NumberOfElements, IReadOnlyList<OpenViduSession> Content);

public sealed record ConnectionProperties(
    string Role,
    string? Data = null,
    bool? Record = null,
    string Type = "WEBRTC");

public sealed record OpenViduConnection(
    string Id,
    string Type,
    string Status,
    string SessionId,
    long CreatedAt,
    long? ActiveAt,
    string? Location,
    string? Ip,
    string? Platform,
    string? Token,
    string? ServerData,
    string? ClientData,
    bool Record,
    string? Role,
    IReadOnlyList<PublisherInfo>? Publishers,
    IReadOnlyList<SubscriberInfo>? Subscribers)
{
    public bool IsActive => Status == "active";
}

public sealed record PublisherInfo(long CreatedAt, string StreamId, MediaOptions? MediaOptions);

public sealed record MediaOptions(
    bool HasAudio,
    bool AudioActive,
    bool HasVideo,
    bool VideoActive,
    string? TypeOfVideo,
    int? FrameRate,
    string? VideoDimensions);

public sealed record SubscriberInfo(long CreatedAt, string StreamId);

public sealed record SignalRequest(
    string Session,
    IReadOnlyList<string>? To = null,
    string? Type = null,
    string? Data = null);

public sealed record RecordingProperties(
    string Session,
    string? Name = null,
    bool? HasAudio = null,
    bool? HasVideo = null,
    string? OutputMode = null);

public sealed record Recording(
    string Id,
    string Name,
    string OutputMode,
    string SessionId,
    long CreatedAt,
    long Size,
    double Duration,
    string? Url,
    bool HasAudio,
    bool HasVideo,
    string Status);

public sealed record RecordingList(int Count, IReadOnlyList<Recording> Items);

public sealed record OpenViduConfig(
    [property: JsonPropertyName("VERSION")] string Version,
    [property: JsonPropertyName("OPENVIDU_PUBLICURL")] string? PublicUrl,
    [property: JsonPropertyName("OPENVIDU_RECORDING")] bool Recording,
    [property: JsonPropertyName("OPENVIDU_WEBHOOK")] bool Webhook);

/// <summary>The error body OpenVidu sends with some non-2xx answers.</summary>
public sealed record OpenViduError(long Timestamp, int Status, string? Error, string? Message, string? Path);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SessionProperties))]
[JsonSerializable(typeof(OpenViduSession))]
[JsonSerializable(typeof(SessionPage))]
[JsonSerializable(typeof(ConnectionProperties))]
[JsonSerializable(typeof(OpenViduConnection))]
[JsonSerializable(typeof(ConnectionPage))]
[JsonSerializable(typeof(SignalRequest))]
[JsonSerializable(typeof(RecordingProperties))]
[JsonSerializable(typeof(Recording))]
[JsonSerializable(typeof(RecordingList))]
[JsonSerializable(typeof(OpenViduConfig))]
[JsonSerializable(typeof(OpenViduError))]
public sealed partial class OpenViduJsonContext : JsonSerializerContext;
