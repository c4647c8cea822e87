using System.Text.Json;

namespace OpenViduEmulator;

/// <summary>Reads <see cref="EmulatorOptions"/> from configuration, with OpenVidu's own variable names.</summary>
public static class EmulatorConfiguration
{
    /// <summary>
    /// Keys: <c>Emulator:Secret</c> or <c>OPENVIDU_SECRET</c>; <c>OPENVIDU_WEBHOOK</c> (true/false),
    /// <c>OPENVIDU_WEBHOOK_ENDPOINT</c>, <c>OPENVIDU_WEBHOOK_HEADERS</c> and <c>OPENVIDU_WEBHOOK_EVENTS</c>
    /// (JSON arrays of strings); <c>urls</c> (first one is listened on, default http://127.0.0.1:4443);
    /// <c>Emulator:PublicUrl</c> or <c>OPENVIDU_PUBLICURL</c>; <c>Emulator:MediaPlane</c> (FakeSdp or Janus),
    /// <c>Emulator:JanusUrl</c>, <c>Emulator:JanusInterface</c>; <c>OPENVIDU_RECORDING</c> (true/false),
    /// <c>OPENVIDU_RECORDING_PATH</c>.
    /// </summary>
    public static EmulatorOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var urls = configuration["urls"] ?? configuration["ASPNETCORE_URLS"] ?? "http://127.0.0.1:4443";
        var listen = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
        var publicUrl = configuration["Emulator:PublicUrl"] ?? configuration["OPENVIDU_PUBLICURL"];
        var webhookOn = bool.TryParse(configuration["OPENVIDU_WEBHOOK"], out var on) && on;
        var endpoint = configuration["OPENVIDU_WEBHOOK_ENDPOINT"];
        if (webhookOn && string.IsNullOrWhiteSpace(endpoint))
        {
            throw new InvalidOperationException("OPENVIDU_WEBHOOK=true needs OPENVIDU_WEBHOOK_ENDPOINT.");
        }

        var mediaPlane = configuration["Emulator:MediaPlane"];
        var janusUrl = configuration["Emulator:JanusUrl"];
        return new EmulatorOptions
        {
            MediaPlane = string.IsNullOrWhiteSpace(mediaPlane) ? MediaPlane.FakeSdp : Enum.Parse<MediaPlane>(mediaPlane, ignoreCase: true),
            JanusUrl = string.IsNullOrWhiteSpace(janusUrl) ? null : new Uri(janusUrl),
            JanusInterface = configuration["Emulator:JanusInterface"] ?? "jn0",
            Secret = configuration["Emulator:Secret"] ?? configuration["OPENVIDU_SECRET"] ?? "MY_SECRET",
            ListenUrl = new Uri(listen.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal)),
            PublicUrl = string.IsNullOrWhiteSpace(publicUrl) ? null : new Uri(publicUrl),
            WebhookEndpoint = webhookOn ? new Uri(endpoint!) : null,
            WebhookHeaders = StringArray(configuration["OPENVIDU_WEBHOOK_HEADERS"], "OPENVIDU_WEBHOOK_HEADERS") ?? [],
            WebhookEvents = StringArray(configuration["OPENVIDU_WEBHOOK_EVENTS"], "OPENVIDU_WEBHOOK_EVENTS"),
            Recording = bool.TryParse(configuration["OPENVIDU_RECORDING"], out var recording) && recording,
            RecordingPath = string.IsNullOrWhiteSpace(configuration["OPENVIDU_RECORDING_PATH"]) ? null : configuration["OPENVIDU_RECORDING_PATH"],
        };
    }

    private static string[]? StringArray(string? json, string key)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<string[]>(json) ?? [];
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"{key} must be a JSON array of strings, e.g. [\"Name: value\"].", ex);
        }
    }
}
