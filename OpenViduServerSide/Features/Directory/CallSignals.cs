using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenViduServerSide.Features.Directory;

/// <summary>
/// What the server tells the pages in a call through OpenVidu's signals: the signal types the call page understands
/// (sent as "signal:…" so browser listeners fire, contract P8) and the <see cref="SignalNotice"/> each carries as its
/// data. Moderation sends them; the call page reads them.
/// </summary>
public static class CallSignals
{
    public const string Removed = "signal:removed";
    public const string StreamStopped = "signal:streamStopped";
    public const string CallEnded = "signal:callEnded";
    public const string Announcement = "signal:announcement";

    public static string Write(SignalNotice notice) => JsonSerializer.Serialize(notice, CallSignalsJsonContext.Default.SignalNotice);

    /// <summary>The notice in a signal's data; null when there is none or it is not one.</summary>
    public static SignalNotice? Read(string? data)
    {
        try
        {
            return string.IsNullOrEmpty(data) ? null : JsonSerializer.Deserialize(data, CallSignalsJsonContext.Default.SignalNotice);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Who acted, and the reason or message for the people affected.</summary>
public sealed record SignalNotice(
    [property: JsonPropertyName("by")] string By,
    [property: JsonPropertyName("text")] string? Text);

[JsonSerializable(typeof(SignalNotice))]
internal sealed partial class CallSignalsJsonContext : JsonSerializerContext;
