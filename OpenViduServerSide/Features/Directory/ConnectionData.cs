using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenViduServerSide.Features.Directory;

public enum ConnectionKind
{
    Camera,
    Screen,
}

/// <summary>
/// What travels with a connection. The server sets <c>serverData</c> when it mints the token (user name, role, the
/// nickname it validated, and whether it is a screen), so webhooks and other browsers can tell who a connection is; the
/// browser adds <c>clientData</c> (the nickname again, for other OpenVidu clients) when it connects. Browsers see both
/// joined by <c>%/%</c> (contract P10). Only <c>serverData</c> is trusted: a browser can put anything in its own half.
/// </summary>
public sealed record ConnectionData(string UserName, ConnectionKind Kind, string Nickname, string Role = "")
{
    /// <summary>The longest nickname the server mints (the join form and the API check it before, with <see cref="NicknameTooLong"/>).</summary>
    public const int MaxNicknameLength = 50;

    /// <summary>What the join form and the API say for a missing nickname.</summary>
    public const string NicknameMissing = "Enter the name others will see.";

    /// <summary>What the join form and the API say for a nickname over <see cref="MaxNicknameLength"/> (a test checks the number).</summary>
    public const string NicknameTooLong = "Keep your nickname to 50 characters or fewer.";

    private const string Separator = "%/%";

    public string ToServerData() =>
        JsonSerializer.Serialize(new ServerData(UserName, Kind == ConnectionKind.Screen ? "screen" : "camera", Role, Nickname), CallJsonContext.Default.ServerData);

    /// <summary>
    /// The browser's metadata. '%' is written as its JSON escape so a nickname can never contain the
    /// <c>%/%</c> separator OpenVidu joins the two halves with.
    /// </summary>
    public static string ToClientData(string nickname) =>
        JsonSerializer.Serialize(new ClientData(nickname), CallJsonContext.Default.ClientData).Replace("%", "\\u0025", StringComparison.Ordinal);

    /// <summary>Reads the combined metadata a browser reports; unknown or broken parts fall back to blanks, never throw.</summary>
    public static ConnectionData Parse(string? combined)
    {
        var parts = (combined ?? "").Split(Separator);
        string clientJson = "", serverJson = "";
        foreach (var part in parts)
        {
            if (part.Contains("\"serverData\"", StringComparison.Ordinal))
            {
                serverJson = part;
            }
            else if (part.Contains("\"clientData\"", StringComparison.Ordinal))
            {
                clientJson = part;
            }
        }

        var server = TryRead(serverJson, CallJsonContext.Default.ServerData);
        var client = TryRead(clientJson, CallJsonContext.Default.ClientData);
        // The nickname the server validated when it minted the token; a connection minted by another OpenVidu client
        // (no nickname in its serverData) falls back to what its browser said, cut to the length the server allows.
        var nickname = server?.Nickname ?? client?.Nickname ?? "";
        return new ConnectionData(
            server?.UserName ?? "",
            server?.Kind == "screen" ? ConnectionKind.Screen : ConnectionKind.Camera,
            nickname.Length > MaxNicknameLength ? nickname[..MaxNicknameLength] : nickname,
            server?.Role ?? "");
    }

    public static ConnectionData FromServerData(string? serverData, string? clientData) =>
        Parse($"{clientData}{Separator}{serverData}");

    private static T? TryRead<T>(string json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        if (json.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, type);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

internal sealed record ServerData(
    [property: JsonPropertyName("serverData")] string UserName,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("role")] string? Role,
    [property: JsonPropertyName("nickname"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Nickname = null);

internal sealed record ClientData([property: JsonPropertyName("clientData")] string Nickname);

[JsonSerializable(typeof(ServerData))]
[JsonSerializable(typeof(ClientData))]
internal sealed partial class CallJsonContext : JsonSerializerContext;
