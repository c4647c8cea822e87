using System.Text.Json.Nodes;
using OpenViduEmulator.State;

namespace OpenViduEmulator.Rest;

/// <summary>/openvidu/api/config (+ sub-paths), and /recordings when recording is disabled (501).</summary>
internal static class ConfigEndpoints
{
    public static void MapConfigEndpoints(this IEndpointRouteBuilder api, EmulatorEngine engine)
    {
        api.MapGet("/config", () => RestResults.Json(Config(engine)));
        api.MapGet("/config/openvidu-version", () => Results.Text(EmulatorEngine.Version));
        api.MapMethods("/config/openvidu-publicurl", ["GET", "HEAD"], () => Results.Text(engine.PublicUrl));
        api.MapGet("/config/openvidu-recording", () => Results.Text(engine.Options.Recording ? "true" : "false"));
        api.MapGet("/config/openvidu-recording-path", () => Results.Text(engine.Options.Recording ? engine.RecordingsFolder : ""));
        api.MapGet("/config/openvidu-cdr", () => Results.Text("false"));

        // OPENVIDU_RECORDING=false (the default): every recording endpoint answers 501 with no body.
        if (engine.Options.Recording)
        {
            api.MapRecordingEndpoints(engine);
            return;
        }

        api.Map("/recordings", () => RestResults.Empty(StatusCodes.Status501NotImplemented));
        api.Map("/recordings/{**rest}", () => RestResults.Empty(StatusCodes.Status501NotImplemented));
    }

    private static JsonObject Config(EmulatorEngine engine)
    {
        var publicUrl = new Uri(engine.PublicUrl);
        var options = engine.Options;
        var config = new JsonObject
        {
            ["VERSION"] = EmulatorEngine.Version,
            ["DOMAIN_OR_PUBLIC_IP"] = publicUrl.Host,
            ["HTTPS_PORT"] = publicUrl.Port,
            ["OPENVIDU_PUBLICURL"] = engine.PublicUrl,
            ["OPENVIDU_CDR"] = false,
            ["OPENVIDU_STREAMS_VIDEO_MAX_RECV_BANDWIDTH"] = 1000,
            ["OPENVIDU_STREAMS_VIDEO_MIN_RECV_BANDWIDTH"] = 300,
            ["OPENVIDU_STREAMS_VIDEO_MAX_SEND_BANDWIDTH"] = 1000,
            ["OPENVIDU_STREAMS_VIDEO_MIN_SEND_BANDWIDTH"] = 300,
            ["OPENVIDU_STREAMS_FORCED_VIDEO_CODEC"] = "MEDIA_SERVER_PREFERRED",
            ["OPENVIDU_STREAMS_ALLOW_TRANSCODING"] = false,
            ["OPENVIDU_WEBRTC_SIMULCAST"] = false,
            ["OPENVIDU_SESSIONS_GARBAGE_INTERVAL"] = 900,
            ["OPENVIDU_SESSIONS_GARBAGE_THRESHOLD"] = 3600,
            ["OPENVIDU_RECORDING"] = options.Recording,
            ["OPENVIDU_WEBHOOK"] = options.WebhookEndpoint is not null,
        };
        if (options.Recording)
        {
            config["OPENVIDU_RECORDING_VERSION"] = EmulatorEngine.Version;
            config["OPENVIDU_RECORDING_PATH"] = engine.RecordingsFolder;
            config["OPENVIDU_RECORDING_PUBLIC_ACCESS"] = false;
            config["OPENVIDU_RECORDING_NOTIFICATION"] = "publisher_moderator";
            config["OPENVIDU_RECORDING_AUTOSTOP_TIMEOUT"] = 120;
        }

        if (options.WebhookEndpoint is not null)
        {
            config["OPENVIDU_WEBHOOK_ENDPOINT"] = options.WebhookEndpoint.ToString();
            config["OPENVIDU_WEBHOOK_HEADERS"] = new JsonArray([.. options.WebhookHeaders.Select(h => (JsonNode?)JsonValue.Create(h))]);
            config["OPENVIDU_WEBHOOK_EVENTS"] = new JsonArray([.. (options.WebhookEvents ?? EmulatorOptions.DefaultWebhookEvents).Select(e => (JsonNode?)JsonValue.Create(e))]);
        }

        return config;
    }
}
