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

    /// <summary>
    /// What carries the media. <see cref="MediaPlane.FakeSdp"/> (default) answers SDP offers with synthesised SDP and
    /// no media; <see cref="MediaPlane.Janus"/> routes real WebRTC through a Janus VideoRoom.
    /// </summary>
    public MediaPlane MediaPlane { get; init; } = MediaPlane.FakeSdp;

    /// <summary>
    /// Janus mode: the HTTP API of a running Janus, e.g. <c>http://127.0.0.1:8088/janus</c> (loopback only; its
    /// VideoRoom must accept <c>create</c> without an admin key). Null: the emulator starts and stops its own Janus.
    /// </summary>
    public Uri? JanusUrl { get; init; }

    /// <summary>
    /// Janus mode, own Janus: the only interface Janus gathers ICE candidates on (<c>ice_enforce_list</c>). Janus skips
    /// loopback interfaces, so tests use the veth <c>jn0</c> (127.0.0.2) that tools/in-media-netns.sh creates.
    /// </summary>
    public string JanusInterface { get; init; } = "jn0";

    /// <summary>
    /// How long a browser's socket may stay silent before the server closes it and evicts its participant
    /// (<c>networkDisconnect</c>). Null: three times the interval the client announced in its first <c>ping</c>
    /// (openvidu-browser: 5 s, so 15 s), as OpenVidu does. The watchdog starts with that first ping.
    /// </summary>
    public TimeSpan? PingTimeout { get; init; }

    /// <summary>
    /// How long a participant whose socket closed without <c>leaveRoom</c> stays in its session, waiting for the
    /// browser's <c>connect</c> on a new socket, before it is evicted (<c>networkDisconnect</c>). Zero (default):
    /// evicted at once, which fast tests rely on. A socket closed by the ping watchdog is evicted at once either way.
    /// </summary>
    public TimeSpan ReconnectionGrace { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// <c>OPENVIDU_RECORDING</c>: false (default, as OpenVidu) makes every recording endpoint answer 501. When true,
    /// the fake plane writes a small placeholder WebM per recording and the Janus plane records the VideoRoom for real.
    /// </summary>
    public bool Recording { get; init; }

    /// <summary>
    /// <c>OPENVIDU_RECORDING_PATH</c>: where recordings are written, one folder per recording id. Null: a new folder
    /// under the system's temporary directory, deleted when the emulator is disposed.
    /// </summary>
    public string? RecordingPath { get; init; }
}

/// <summary>What carries the media behind the emulator's signaling.</summary>
public enum MediaPlane
{
    /// <summary>Synthesised SDP answers, no media (ICE never connects).</summary>
    FakeSdp,

    /// <summary>Real media through a Janus VideoRoom (openvidu-browser sees <c>mediaServer: "mediasoup"</c>).</summary>
    Janus,
}
