using System.Text.Json.Nodes;

namespace OpenViduEmulator.Media;

/// <summary>
/// What carries the media behind the JSON-RPC (contract §3.3). The dispatcher keeps every OpenVidu rule (validation,
/// state, notifications, webhooks) and asks the plane only for SDP and ICE, so both planes share one code path.
/// The negotiation methods may complete synchronously (fake SDP) or later (Janus); the teardown methods are called
/// under the engine's lock and must not block: they only start the work.
/// </summary>
internal interface IMediaPlane : IAsyncDisposable
{
    /// <summary>joinRoom's <c>mediaServer</c>: "kurento" (browser offers to subscribe) or "mediasoup" (server offers).</summary>
    string MediaServer { get; }

    /// <summary>True when subscribers get the server's offer (prepareReceiveVideoFrom), as with mediasoup.</summary>
    bool ServerOffersToSubscribers { get; }

    /// <summary>ICE servers for joinRoom's <c>customIceServers</c>; null keeps the emulator's default TURN entry.</summary>
    JsonArray? IceServers { get; }

    /// <summary>publishVideo: the answer to the publisher's offer.</summary>
    Task<string> PublishAsync(string sessionId, string connectionId, string sdpOffer);

    /// <summary>receiveVideoFrom, Kurento flow: the answer to a subscriber's offer.</summary>
    Task<string> SubscribeWithOfferAsync(string sessionId, string subscriberId, string publisherId, string sdpOffer);

    /// <summary>prepareReceiveVideoFrom (server-offer flow): the server's offer to the subscriber.</summary>
    Task<string> PrepareSubscribeAsync(string sessionId, string subscriberId, string publisherId, bool reconnect);

    /// <summary>receiveVideoFrom with the subscriber's answer (server-offer flow).</summary>
    Task StartSubscribeAsync(string subscriberId, string publisherId, string sdpAnswer);

    /// <summary>reconnectStream. <paramref name="publisherId"/> null: the caller's own publisher (returns an answer).</summary>
    Task<string?> ReconnectStreamAsync(string connectionId, string? publisherId, string sdp);

    /// <summary>onIceCandidate from the browser; <paramref name="endpointName"/> is the publisher of that PC.</summary>
    Task AddIceCandidateAsync(string connectionId, string endpointName, JsonObject candidate);

    void Unpublished(string publisherId);

    void Unsubscribed(string subscriberId, string publisherId);

    void Left(string connectionId);

    void SessionClosed(string sessionId);

    /// <summary>POST /recordings/start: begins recording the session's media (Janus: the VideoRoom's recorders).</summary>
    Task StartRecordingAsync(string sessionId, string folder);

    /// <summary>
    /// After POST /recordings/stop: writes the recording into <paramref name="folder"/> as <c>name.webm</c> and returns its
    /// path, or null when nothing was recorded (the recording then fails).
    /// </summary>
    Task<string?> StopRecordingAsync(string sessionId, string folder, string name, double durationSeconds);
}
