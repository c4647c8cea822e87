using Microsoft.Extensions.Logging;

namespace OpenViduEmulator;

/// <summary>How an emulator instance behaves. Every property has the default of the openvidu-dev image.</summary>
public sealed record EmulatorOptions
{
    /// <summary>The events OpenVidu 2.32.2 sends when <c>OPENVIDU_WEBHOOK_EVENTS</c> is not set.</summary>
    public static IReadOnlyList<string> DefaultWebhookEvents { get; } =
    [
        "sessionCreated", "sessionDestroyed", "participantJoined", "participantLeft",
        "webrtcConnectionCreated", "webrtcConnectionDestroyed", "recordingStatusChanged",
        "filterEventDispatched", "signalSent", "mediaNodeStatusChanged", "autoscaling",
        "nodeCrashed", "nodeRecovered", "broadcastStarted", "broadcastStopped",
    ];

    /// <summary>The REST password (user <c>OPENVIDUAPP</c>), <c>OPENVIDU_SECRET</c>.</summary>
    public string Secret { get; init; } = "MY_SECRET";

    /// <summary>When set, webhook events are POSTed there (<c>OPENVIDU_WEBHOOK_ENDPOINT</c>).</summary>
    public Uri? WebhookEndpoint { get; init; }

    /// <summary>Extra webhook headers, each <c>"Name: value"</c> (<c>OPENVIDU_WEBHOOK_HEADERS</c>).</summary>
    public IReadOnlyList<string> WebhookHeaders { get; init; } = [];

    /// <summary>The events to send; null means <see cref="DefaultWebhookEvents"/>.</summary>
    public IReadOnlyList<string>? WebhookEvents { get; init; }

    /// <summary>Where Kestrel listens; null means a free port on 127.0.0.1 (<c>http://127.0.0.1:0</c>).</summary>
    public Uri? ListenUrl { get; init; }

    /// <summary>The URL put into tokens and /config; null means the URL actually listened on.</summary>
    public Uri? PublicUrl { get; init; }

    /// <summary>Logging setup for the emulator's own host; null logs nothing.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
}
