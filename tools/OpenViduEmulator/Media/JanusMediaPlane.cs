using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenViduEmulator.Media;

/// <summary>
/// Real media through a Janus VideoRoom (tools/OpenViduEmulator/README.md, "Janus mode: real media"). One Janus session per OpenVidu participant
/// (created at its first media request), one VideoRoom per OpenVidu session (created at its first publish or
/// subscribe), one publisher handle per published stream and one subscriber handle per (subscriber, publisher) pair.
/// Janus 1.1.2 always offers to subscribers, so openvidu-browser is told <c>mediaServer: "mediasoup"</c>, whose flow
/// (prepareReceiveVideoFrom → server offer → receiveVideoFrom with the answer) is the one Janus supports.
/// </summary>
internal sealed partial class JanusMediaPlane : IMediaPlane
{
    // How long a subscription may wait for its publisher's PeerConnection to come up: Janus refuses to subscribe to
    // a feed that is not yet publishing (428 "No such feed"), where Kurento would accept at once. Shorter than
    // openvidu-browser's 10 s request timeout, so that the browser gets the error rather than a timeout.
    private static readonly TimeSpan PublisherUpTimeout = TimeSpan.FromSeconds(8);

    private readonly JanusClient client;
    private readonly JanusProcess? process;
    private readonly JanusSession control;
    private readonly JanusHandle controlHandle;
    private readonly ILogger logger;
    private readonly CancellationTokenSource disposing = new();
    private readonly Lock gate = new();
    private readonly Dictionary<string, Task<long>> rooms = [];
    private readonly Dictionary<string, Peer> peers = [];

    private readonly string? adminKey;

    private JanusMediaPlane(JanusClient client, JanusProcess? process, JanusSession control, JanusHandle controlHandle, ILogger logger)
    {
        adminKey = process?.AdminKey;
        this.client = client;
        this.process = process;
        this.control = control;
        this.controlHandle = controlHandle;
        this.logger = logger;
    }

    public string MediaServer => "mediasoup";

    public bool ServerOffersToSubscribers => true;

    /// <summary>A loopback STUN entry: with none, openvidu-browser falls back to public STUN servers (freeice).</summary>
    public JsonArray? IceServers => [new JsonObject { ["url"] = "stun:127.0.0.1:3478" }];

    /// <summary>Connects to <see cref="EmulatorOptions.JanusUrl"/>, or starts a private Janus when it is null.</summary>
    public static async Task<JanusMediaPlane> StartAsync(EmulatorOptions options, ILoggerFactory loggers, CancellationToken ct)
    {
        var logger = loggers.CreateLogger<JanusMediaPlane>();
        JanusProcess? process = null;
        JanusClient? client = null;
        try
        {
            if (options.JanusUrl is null)
            {
                process = await JanusProcess.StartAsync(options.JanusInterface, loggers.CreateLogger<JanusProcess>(), ct);
            }

            client = new JanusClient(process?.Url ?? options.JanusUrl!, loggers.CreateLogger<JanusClient>());
            var control = await client.CreateSessionAsync(ct);
            var controlHandle = await control.AttachAsync(ct);
            return new JanusMediaPlane(client, process, control, controlHandle, logger);
        }
        catch
        {
            client?.Dispose();
            if (process is not null)
            {
                await process.DisposeAsync();
            }

            throw;
        }
    }

    // ---- negotiation ----

    public Task<string> PublishAsync(string sessionId, string connectionId, string sdpOffer) =>
        JoinAsPublisherAsync(sessionId, connectionId, sdpOffer);

    /// <summary>
    /// A new publisher handle with a new feed id. A previous handle of this participant (reconnectStream) is detached:
    /// openvidu-browser reconnects with a brand-new RTCPeerConnection (new DTLS), which one Janus handle cannot take over.
    /// </summary>
    private async Task<string> JoinAsPublisherAsync(string sessionId, string connectionId, string sdpOffer)
    {
        var feed = NewId();
        Task<JanusHandle> attach;
        Publisher? previous;
        lock (gate)
        {
            var peer = PeerLocked(connectionId);
            previous = peer.Publisher;
            attach = AttachAsync(peer);
            peer.Publisher = new Publisher(feed, attach, sessionId);
        }

        if (previous is not null)
        {
            Forget(DetachAsync(previous.Handle));
        }

        try
        {
            var room = await RoomAsync(sessionId);
            var handle = await attach;
            var (_, jsep) = await handle.RequestAsync(new JsonObject
            {
                ["request"] = "joinandconfigure",
                ["ptype"] = "publisher",
                ["room"] = room,
                ["id"] = feed,
                ["display"] = connectionId,
            }, Jsep("offer", sdpOffer), disposing.Token);
            return SdpOf(jsep);
        }
        catch
        {
            Unpublished(connectionId);
            throw;
        }
    }

    public Task<string> SubscribeWithOfferAsync(string sessionId, string subscriberId, string publisherId, string sdpOffer) =>
        throw new JanusException(0, "Janus offers to subscribers: use prepareReceiveVideoFrom (mediaServer \"mediasoup\")");

    public async Task<string> PrepareSubscribeAsync(string sessionId, string subscriberId, string publisherId, bool reconnect)
    {
        Task<JanusHandle>? existing;
        Publisher publisher;
        Peer peer;
        lock (gate)
        {
            publisher = (peers.TryGetValue(publisherId, out var p) ? p.Publisher : null)
                ?? throw new JanusException(428, $"{publisherId} has no Janus publisher");
            peer = PeerLocked(subscriberId);
            peer.Subscribers.TryGetValue(publisherId, out existing);
        }

        // A reconnection (reconnect: true) is a new subscription too: openvidu-browser drops its RTCPeerConnection and
        // makes a new one, so the old handle goes and a new one joins (an ICE restart on the old handle would keep the
        // old DTLS session, which the new PeerConnection does not have).
        var attach = AttachWhenUpAsync(peer, publisher);
        lock (gate)
        {
            peer.Subscribers[publisherId] = attach;
        }

        if (existing is not null)
        {
            Forget(DetachAsync(existing));
        }

        var room = await RoomAsync(sessionId);
        var handle = await attach;
        var (_, jsep) = await handle.RequestAsync(new JsonObject
        {
            ["request"] = "join",
            ["ptype"] = "subscriber",
            ["room"] = room,
            ["streams"] = new JsonArray(new JsonObject { ["feed"] = publisher.Feed }),
        }, null, disposing.Token);
        return SdpOf(jsep);
    }

    private async Task<JanusHandle> AttachWhenUpAsync(Peer peer, Publisher publisher)
    {
        var publisherHandle = await publisher.Handle;
        try
        {
            await publisherHandle.WebRtcUp.WaitAsync(PublisherUpTimeout, disposing.Token);
        }
        catch (TimeoutException)
        {
            throw new JanusException(428, $"the publisher's PeerConnection did not come up within {PublisherUpTimeout.TotalSeconds} s");
        }

        return await AttachAsync(peer);
    }

    public async Task StartSubscribeAsync(string subscriberId, string publisherId, string sdpAnswer)
    {
        var handle = await SubscriberHandleAsync(subscriberId, publisherId)
            ?? throw new JanusException(0, $"no subscription of {subscriberId} to {publisherId}: prepareReceiveVideoFrom first");
        await handle.RequestAsync(new JsonObject { ["request"] = "start" }, Jsep("answer", sdpAnswer), disposing.Token);
    }

    public async Task<string?> ReconnectStreamAsync(string connectionId, string? publisherId, string sdp)
    {
        if (publisherId is not null)
        {
            await StartSubscribeAsync(connectionId, publisherId, sdp);
            return null;
        }

        string? sessionId;
        lock (gate)
        {
            sessionId = peers.TryGetValue(connectionId, out var peer) ? peer.Publisher?.SessionId : null;
        }

        return sessionId is null
            ? throw new JanusException(0, $"{connectionId} is not publishing on Janus")
            : await JoinAsPublisherAsync(sessionId, connectionId, sdp);
    }

    public async Task AddIceCandidateAsync(string connectionId, string endpointName, JsonObject candidate)
    {
        Task<JanusHandle>? attach = null;
        lock (gate)
        {
            if (peers.TryGetValue(connectionId, out var peer))
            {
                attach = endpointName == connectionId ? peer.Publisher?.Handle : peer.Subscribers.GetValueOrDefault(endpointName);
            }
        }

        if (attach is null)
        {
            // A candidate for a PeerConnection already torn down: nothing to do, as with Kurento.
            return;
        }

        // The handle may still be attaching (the candidate raced the publishVideo answer): wait for it.
        var handle = await attach;
        await handle.TrickleAsync(candidate, disposing.Token);
    }

    // ---- teardown (called under the engine's lock: only starts the work) ----

    public void Unpublished(string publisherId)
    {
        var handles = new List<Task<JanusHandle>>();
        lock (gate)
        {
            if (peers.TryGetValue(publisherId, out var peer) && peer.Publisher is { } publisher)
            {
                peer.Publisher = null;
                handles.Add(publisher.Handle);
            }

            handles.AddRange(DropSubscriptionsToLocked(publisherId));
        }

        foreach (var handle in handles)
        {
            Forget(DetachAsync(handle));
        }
    }

    public void Unsubscribed(string subscriberId, string publisherId)
    {
        Task<JanusHandle>? handle = null;
        lock (gate)
        {
            if (peers.TryGetValue(subscriberId, out var peer) && peer.Subscribers.Remove(publisherId, out var h))
            {
                handle = h;
            }
        }

        if (handle is not null)
        {
            Forget(DetachAsync(handle));
        }
    }

    public void Left(string connectionId)
    {
        Peer? peer;
        List<Task<JanusHandle>> handles;
        lock (gate)
        {
            peers.Remove(connectionId, out peer);
            handles = DropSubscriptionsToLocked(connectionId);
        }

        foreach (var handle in handles)
        {
            Forget(DetachAsync(handle));
        }

        if (peer is not null)
        {
            // Destroying the Janus session detaches all its handles and hangs up their PeerConnections.
            Forget(DestroyAsync(peer.Session));
        }
    }

    public void SessionClosed(string sessionId)
    {
        Task<long>? room;
        lock (gate)
        {
            rooms.Remove(sessionId, out room);
        }

        if (room is not null)
        {
            Forget(DestroyRoomAsync(room));
        }
    }

    private List<Task<JanusHandle>> DropSubscriptionsToLocked(string publisherId)
    {
        var handles = new List<Task<JanusHandle>>();
        foreach (var other in peers.Values)
        {
            if (other.Subscribers.Remove(publisherId, out var handle))
            {
                handles.Add(handle);
            }
        }

        return handles;
    }

    private async Task DestroyRoomAsync(Task<long> room)
    {
        var body = new JsonObject { ["request"] = "destroy", ["room"] = await room };
        await controlHandle.RequestAsync(body, null, disposing.Token);
    }

    private static async Task DetachAsync(Task<JanusHandle> handle) => await (await handle).DetachAsync();

    private static async Task DestroyAsync(Task<JanusSession> session) => await (await session).DestroyAsync();

    private void Forget(Task work) => _ = work.ContinueWith(
        t => LogTeardownFailed(t.Exception!),
        CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    // ---- plumbing ----

    private Peer PeerLocked(string connectionId)
    {
        if (!peers.TryGetValue(connectionId, out var peer))
        {
            peer = new Peer(client.CreateSessionAsync(disposing.Token));
            peers[connectionId] = peer;
        }

        return peer;
    }

    private async Task<JanusHandle> AttachAsync(Peer peer) => await (await peer.Session).AttachAsync(disposing.Token);

    private Task<long> RoomAsync(string sessionId)
    {
        lock (gate)
        {
            if (!rooms.TryGetValue(sessionId, out var room))
            {
                room = CreateRoomAsync();
                rooms[sessionId] = room;
            }

            return room;
        }
    }

    private async Task<long> CreateRoomAsync()
    {
        var room = NewId();
        var body = new JsonObject
        {
            ["request"] = "create",
            ["room"] = room,
            ["publishers"] = 64,
            ["videocodec"] = "vp8",
            ["audiocodec"] = "opus",
        };
        if (adminKey is not null)
        {
            body["admin_key"] = adminKey;
        }

        await controlHandle.RequestAsync(body, null, disposing.Token);
        return room;
    }

    private static long NewId() => Random.Shared.NextInt64(1, 1L << 52);

    private static JsonObject Jsep(string type, string sdp) => new() { ["type"] = type, ["sdp"] = sdp };

    private static string SdpOf(JsonObject? jsep) =>
        jsep?["sdp"] is JsonValue sdp && sdp.GetValueKind() == JsonValueKind.String ? sdp.GetValue<string>() : throw new JanusException(0, "Janus sent no SDP");

    private async Task<JanusHandle?> SubscriberHandleAsync(string subscriberId, string publisherId)
    {
        Task<JanusHandle>? attach = null;
        lock (gate)
        {
            if (peers.TryGetValue(subscriberId, out var peer))
            {
                attach = peer.Subscribers.GetValueOrDefault(publisherId);
            }
        }

        return attach is null ? null : await attach;
    }

    public async ValueTask DisposeAsync()
    {
        List<Peer> peers;
        lock (gate)
        {
            peers = [.. this.peers.Values];
            this.peers.Clear();
            rooms.Clear();
        }

        foreach (var peer in peers)
        {
            if (peer.Session.IsCompletedSuccessfully)
            {
                await peer.Session.Result.DestroyAsync();
            }
        }

        await control.DestroyAsync();
        await disposing.CancelAsync();
        client.Dispose();
        if (process is not null)
        {
            await process.DisposeAsync();
        }

        disposing.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Janus teardown step failed")]
    private partial void LogTeardownFailed(Exception exception);

    private sealed class Peer(Task<JanusSession> session)
    {
        public Task<JanusSession> Session { get; } = session;

        public Publisher? Publisher { get; set; }

        /// <summary>Subscriber handles by publisher connection id (openvidu-browser routes by connection id too).</summary>
        public Dictionary<string, Task<JanusHandle>> Subscribers { get; } = [];
    }

    private sealed record Publisher(long Feed, Task<JanusHandle> Handle, string SessionId);
}
