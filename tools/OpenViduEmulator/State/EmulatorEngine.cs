using System.Text.Json.Nodes;
using OpenViduEmulator.Media;
using OpenViduEmulator.Rpc;
using OpenViduEmulator.Webhooks;

namespace OpenViduEmulator.State;

/// <summary>
/// The OpenVidu server's state machine (contract §1.6, §3.5). One lock guards everything: operations are
/// short and never await, and notifications and webhooks are queued while it is held, so their order is
/// the order of the state changes.
/// </summary>
internal sealed partial class EmulatorEngine(EmulatorOptions options, WebhookDispatcher webhooks, ChangeSignal changes)
{
    public const string Version = "2.32.2";
    private static readonly TimeSpan SocketCloseGrace = TimeSpan.FromSeconds(10);

    private readonly Lock gate = new();
    private readonly List<EmulatedSession> sessions = [];
    private readonly List<RpcPeer> peers = [];

    public EmulatorOptions Options { get; } = options;

    /// <summary>What carries the media; told about every teardown below so that it can free its resources.</summary>
    public IMediaPlane Media { get; set; } = new FakeSdpMediaPlane();

    /// <summary>The URL that tokens and /config report, e.g. <c>http://127.0.0.1:4443</c> (no trailing slash).</summary>
    public string PublicUrl { get; set; } = "http://127.0.0.1:4443";

    public string WsUrl => PublicUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
        ? "wss://" + PublicUrl["https://".Length..]
        : "ws://" + PublicUrl["http://".Length..];

    public string PublicHost => new Uri(PublicUrl).Host;

    public Lock Gate => gate;

    /// <summary>Runs <paramref name="action"/> under the lock, then tells waiters that something changed.</summary>
    public T Mutate<T>(Func<T> action)
    {
        T result;
        lock (gate)
        {
            result = action();
        }

        changes.Raise();
        return result;
    }

    public void Mutate(Action action) => Mutate(() =>
    {
        action();
        return true;
    });

    public T Read<T>(Func<T> action)
    {
        lock (gate)
        {
            return action();
        }
    }

    // ---- lookups (call under the lock) ----

    public EmulatedSession? FindSessionLocked(string sessionId) => sessions.Find(s => s.Id == sessionId);

    public IReadOnlyList<EmulatedSession> SessionsLocked => sessions;

    public EmulatedConnection? FindParticipantByRpcSessionLocked(string rpcSessionId) =>
        sessions.SelectMany(s => s.ActiveConnections).FirstOrDefault(c => c.RpcSessionId == rpcSessionId);

    // ---- sockets ----

    public void AddPeer(RpcPeer peer)
    {
        lock (gate)
        {
            peers.Add(peer);
        }
    }

    /// <summary>
    /// A WebSocket ended. If it still belonged to a participant, that participant is evicted (networkDisconnect): at once
    /// when the ping watchdog closed it or there is no <see cref="EmulatorOptions.ReconnectionGrace"/>; otherwise only if
    /// the browser has not come back on a new socket (<c>connect</c>) when the grace is over.
    /// </summary>
    public void OnPeerClosed(RpcPeer peer)
    {
        var grace = peer.Silenced ? TimeSpan.Zero : Options.ReconnectionGrace;
        Mutate(() =>
        {
            peers.Remove(peer);
            if (grace == TimeSpan.Zero)
            {
                EvictIfStillOn(peer, peer.Participant);
            }
        });

        if (grace > TimeSpan.Zero)
        {
            var participant = Read(() => peer.Participant);
            _ = Task.Delay(grace).ContinueWith(_ => Mutate(() => EvictIfStillOn(peer, participant)), TaskScheduler.Default);
        }
    }

    private void EvictIfStillOn(RpcPeer peer, EmulatedConnection? participant)
    {
        if (participant is not null && participant.Peer == peer && participant.Session.Connections.Contains(participant))
        {
            RemoveParticipantLocked(participant, "networkDisconnect", closeSessionIfEmpty: true);
        }
    }

    /// <summary>
    /// Aborts the WebSocket of a participant without a close frame. Returns false if it has none. Without a reconnection
    /// grace the participant is evicted here, under the lock, before the abort: waiting for the socket's read loop to
    /// notice would let the browser's immediate reconnection (<c>connect</c>) win the race and keep it in the session.
    /// </summary>
    public bool DropSocket(string connectionId)
    {
        var peer = Mutate(() =>
        {
            var participant = sessions.SelectMany(s => s.ActiveConnections).FirstOrDefault(c => c.Id == connectionId);
            var dropped = participant?.Peer;
            if (participant is not null && dropped is not null && Options.ReconnectionGrace == TimeSpan.Zero)
            {
                dropped.Participant = null;
                RemoveParticipantLocked(participant, "networkDisconnect", closeSessionIfEmpty: true);
            }

            return dropped;
        });
        peer?.Abort();
        return peer is not null;
    }

    public int? SocketPort(string connectionId) => Read<int?>(() =>
        sessions.SelectMany(s => s.ActiveConnections).FirstOrDefault(c => c.Id == connectionId)?.Peer is { Closed: false } peer ? peer.RemotePort : null);

    /// <summary>Forgets every session and aborts every socket, like a server restart.</summary>
    public void Reset() => Mutate(() =>
    {
        foreach (var peer in peers)
        {
            peer.Participant = null;
            peer.Abort();
        }

        foreach (var session in sessions)
        {
            foreach (var connection in session.ActiveConnections)
            {
                Media.Left(connection.Id);
            }

            Media.SessionClosed(session.Id);
        }

        peers.Clear();
        sessions.Clear();
    });

    /// <summary>Aborts every socket; their participants are then evicted with networkDisconnect.</summary>
    public void AbortAllSockets()
    {
        RpcPeer[] peers;
        lock (gate)
        {
            peers = [.. this.peers];
        }

        foreach (var peer in peers)
        {
            peer.Abort();
        }
    }

    // ---- lifecycle shared by REST and RPC (call under the lock) ----

    public EmulatedSession AddSessionLocked(EmulatedSession session)
    {
        sessions.Add(session);
        Webhook("sessionCreated", session, []);
        return session;
    }

    /// <summary>Evicts a participant (contract §3.5 "Evict"): participantLeft to the rest, participantEvicted to everyone in the snapshot.</summary>
    public void EvictLocked(EmulatedConnection victim, string reason, Action? afterLeft = null, bool closeSessionIfEmpty = true)
    {
        var snapshot = victim.Session.ActiveConnections.Select(c => c.Peer).OfType<RpcPeer>().ToList();
        var victimPeer = victim.Peer;
        RemoveParticipantLocked(victim, reason, closeSessionIfEmpty: false);
        afterLeft?.Invoke();
        foreach (var peer in snapshot)
        {
            peer.Notify("participantEvicted", new JsonObject { ["connectionId"] = victim.Id, ["reason"] = reason });
        }

        victimPeer?.CloseAfter(SocketCloseGrace);
        if (closeSessionIfEmpty)
        {
            CloseIfEmptyLocked(victim.Session, reason);
        }
    }

    /// <summary>
    /// Removes an active participant: media webhooks, <c>participantLeft</c> to the others, webhook
    /// <c>participantLeft</c>; then, if asked and nobody is left, closes the session.
    /// </summary>
    public void RemoveParticipantLocked(EmulatedConnection participant, string reason, bool closeSessionIfEmpty)
    {
        var session = participant.Session;
        if (participant.Stream is not null)
        {
            StopPublishingLocked(participant, reason, notify: false);
        }

        foreach (var subscription in participant.Subscriptions.ToList())
        {
            participant.Subscriptions.Remove(subscription);
            var publisher = session.FindConnection(subscription.PublisherConnectionId);
            WebrtcDestroyedWebhook(participant, publisher, subscription.StreamId, subscription.CreatedAt, reason);
        }

        session.Connections.Remove(participant);
        Media.Left(participant.Id);
        foreach (var other in session.ActiveConnections)
        {
            other.Peer?.Notify("participantLeft", new JsonObject { ["connectionId"] = participant.Id, ["reason"] = reason });
        }

        var start = participant.ActiveAt ?? participant.CreatedAt;
        Webhook("participantLeft", session, ParticipantFields(participant).Concat(EndFields(start, reason)));
        if (participant.Peer is not null)
        {
            participant.Peer.Participant = null;
            participant.Peer = null;
        }

        if (closeSessionIfEmpty)
        {
            CloseIfEmptyLocked(session, reason);
        }
    }

    public void CloseIfEmptyLocked(EmulatedSession session, string reason)
    {
        if (sessions.Contains(session) && !session.ActiveConnections.Any())
        {
            CloseSessionLocked(session, NormaliseSessionEndReason(reason));
        }
    }

    /// <summary>DELETE /sessions/{id}: evicts everyone with sessionClosedByServer, then destroys the session.</summary>
    public void CloseSessionByServerLocked(EmulatedSession session)
    {
        foreach (var participant in session.ActiveConnections.ToList())
        {
            EvictLocked(participant, "sessionClosedByServer", closeSessionIfEmpty: false);
        }

        CloseSessionLocked(session, "sessionClosedByServer");
    }

    private void CloseSessionLocked(EmulatedSession session, string reason)
    {
        StopRecordingOnCloseLocked(session, reason);
        sessions.Remove(session);
        session.Connections.Clear();
        Media.SessionClosed(session.Id);
        Webhook("sessionDestroyed", session, EndFields(session.CreatedAt, reason));
    }

    /// <summary>Contract §1.6 rule 6.</summary>
    public static string NormaliseSessionEndReason(string reason) => reason switch
    {
        "disconnect" or "forceDisconnectByUser" or "forceDisconnectByServer" or "networkDisconnect" => "lastParticipantLeft",
        _ => reason,
    };

    /// <summary>
    /// Ends a participant's publication: subscribers lose their subscriptions (INBOUND webhooks), the
    /// OUTBOUND webhook fires, and, when <paramref name="notify"/>, participantUnpublished is sent.
    /// </summary>
    public void StopPublishingLocked(EmulatedConnection publisher, string reason, bool notify, bool includePublisher = false)
    {
        var stream = publisher.Stream;
        if (stream is null)
        {
            return;
        }

        var session = publisher.Session;
        foreach (var subscriber in session.ActiveConnections)
        {
            var subscription = subscriber.Subscriptions.Find(s => s.StreamId == stream.Id);
            if (subscription is not null)
            {
                subscriber.Subscriptions.Remove(subscription);
                WebrtcDestroyedWebhook(subscriber, publisher, stream.Id, subscription.CreatedAt, reason);
            }
        }

        publisher.Stream = null;
        Media.Unpublished(publisher.Id);
        WebrtcDestroyedWebhook(publisher, null, stream.Id, stream.CreatedAt, reason, stream);
        if (notify)
        {
            foreach (var other in session.ActiveConnections)
            {
                if (other != publisher || includePublisher)
                {
                    other.Peer?.Notify("participantUnpublished", new JsonObject { ["connectionId"] = publisher.Id, ["reason"] = reason });
                }
            }
        }
    }

    /// <summary>Delivers a signal (RPC sendMessage or REST /signal) and queues webhook signalSent.</summary>
    public void SendSignalLocked(EmulatedSession session, string? from, IReadOnlyList<EmulatedConnection> targets, string? type, string? data)
    {
        foreach (var target in targets)
        {
            var message = new JsonObject();
            if (data is not null)
            {
                message["data"] = data;
            }

            if (type is not null)
            {
                message["type"] = type;
            }

            if (from is not null)
            {
                message["from"] = from;
            }

            target.Peer?.Notify("sendMessage", message);
        }

        Webhook("signalSent", session,
        [
            new("from", from),
            new("to", new JsonArray([.. targets.Select(t => (JsonNode?)JsonValue.Create(t.Id))])),
            new("type", type),
            new("data", data),
        ]);
    }

    // ---- webhooks ----

    public void Webhook(string eventName, EmulatedSession session, IEnumerable<KeyValuePair<string, JsonNode?>> fields) =>
        Webhook(eventName, session.Id, session.UniqueSessionId, fields);

    private void Webhook(string eventName, string sessionId, string uniqueSessionId, IEnumerable<KeyValuePair<string, JsonNode?>> fields)
    {
        var body = new JsonObject
        {
            ["event"] = eventName,
            ["timestamp"] = Ids.NowMs(),
            ["sessionId"] = sessionId,
            ["uniqueSessionId"] = uniqueSessionId,
        };
        foreach (var (key, value) in fields)
        {
            body[key] = value;
        }

        webhooks.Enqueue(eventName, body);
    }

    public static IEnumerable<KeyValuePair<string, JsonNode?>> ParticipantFields(EmulatedConnection participant) =>
    [
        new("participantId", participant.Id),
        new("connectionId", participant.Id),
        new("location", participant.Location),
        new("ip", participant.Ip),
        new("platform", participant.Platform),
        new("clientData", participant.ClientData),
        new("serverData", participant.ServerData),
    ];

    private static IEnumerable<KeyValuePair<string, JsonNode?>> EndFields(long startTime, string reason) =>
    [
        new("startTime", startTime),
        new("duration", (Ids.NowMs() - startTime) / 1000),
        new("reason", reason),
    ];

    /// <summary>webrtcConnectionCreated for a publisher (OUTBOUND, <paramref name="publisher"/> null) or a subscriber (INBOUND).</summary>
    public void WebrtcCreatedWebhook(EmulatedConnection owner, EmulatedConnection? publisher, EmulatedStream stream) =>
        Webhook("webrtcConnectionCreated", owner.Session, WebrtcFields(owner, publisher, stream.Id, stream));

    public void WebrtcDestroyedWebhook(EmulatedConnection owner, EmulatedConnection? publisher, string streamId, long startTime, string reason, EmulatedStream? stream = null) =>
        Webhook("webrtcConnectionDestroyed", owner.Session,
            WebrtcFields(owner, publisher, streamId, stream ?? publisher?.Stream).Concat(EndFields(startTime, reason)));

    private static List<KeyValuePair<string, JsonNode?>> WebrtcFields(EmulatedConnection owner, EmulatedConnection? publisher, string streamId, EmulatedStream? stream)
    {
        List<KeyValuePair<string, JsonNode?>> fields =
        [
            new("streamId", streamId),
            new("participantId", owner.Id),
            new("connectionId", owner.Id),
            new("connection", publisher is null ? "OUTBOUND" : "INBOUND"),
        ];
        if (publisher is not null)
        {
            fields.Add(new("receivingFrom", publisher.Id));
        }

        if (stream is not null)
        {
            fields.Add(new("videoSource", stream.HasVideo ? stream.TypeOfVideo : null));
            fields.Add(new("videoFramerate", stream.HasVideo ? stream.FrameRate : null));
            fields.Add(new("videoDimensions", stream.HasVideo ? stream.VideoDimensions : null));
            fields.Add(new("audioEnabled", stream.HasAudio));
            fields.Add(new("videoEnabled", stream.HasVideo));
        }

        return fields;
    }

    // ---- snapshot ----

    public EmulatorSnapshot Snapshot(IReadOnlyList<WebhookDelivery> deliveries, long version)
    {
        lock (gate)
        {
            return new EmulatorSnapshot(version, [.. sessions.Select(ToSnapshot)], deliveries);
        }
    }

    private static SessionSnapshot ToSnapshot(EmulatedSession s) => new(
        s.Id, s.CustomSessionId, s.CreatedAt, s.Active,
        [.. s.Connections.Select(c => new ConnectionSnapshot(
            c.Id, s.Id, c.IsActive ? "active" : "pending", c.Role, c.ServerData, c.ClientData, c.Record, c.Token,
            c.CreatedAt, c.ActiveAt, c.Platform, c.Ip, c.Peer is { Closed: false },
            c.Stream is { } st
                ? [new StreamSnapshot(st.Id, st.CreatedAt, st.HasAudio, st.HasVideo, st.AudioActive, st.VideoActive, st.TypeOfVideo, st.FrameRate, st.VideoDimensions)]
                : [],
            [.. c.Subscriptions.Select(x => x.StreamId)]))]);
}
