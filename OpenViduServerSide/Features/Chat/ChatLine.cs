using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenViduServerSide.Features.Chat;

/// <summary>One chat message as pages show it and as OpenVidu's signal carries it (type <see cref="ChatRoom.SignalType"/>).</summary>
public sealed record ChatLine(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("user")] string UserName,
    [property: JsonPropertyName("nickname")] string Nickname,
    [property: JsonPropertyName("text")] string Text)
{
    public string ToJson() => JsonSerializer.Serialize(this, ChatJson.Default.ChatLine);

    /// <summary>The line a chat signal carries, or null for anything else.</summary>
    public static ChatLine? FromJson(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, ChatJson.Default.ChatLine) is { UserName: not null, Nickname: not null, Text: not null } line ? line : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>What a send did: the line that was stored, or why nothing was.</summary>
/// <param name="Warning">Stored, but not delivered live (OpenVidu did not take the signal): others see it when they reload.</param>
public sealed record ChatSendResult(ChatLine? Line, string? Refusal, string? Warning = null)
{
    public bool Sent => Line is not null;
}

[JsonSerializable(typeof(ChatLine))]
internal sealed partial class ChatJson : JsonSerializerContext;
