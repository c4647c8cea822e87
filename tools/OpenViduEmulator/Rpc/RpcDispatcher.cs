using System.Text.Json;
using System.Text.Json.Nodes;
using OpenViduEmulator.Media;
using OpenViduEmulator.State;

namespace OpenViduEmulator.Rpc;

/// <summary>
/// The JSON-RPC methods of openvidu-server 2.32 (contract §3.2–§3.5). Every request gets exactly one answer;
/// each handler runs under the engine's lock, so answers and notifications leave in a consistent order.
/// SDP and ICE go to the engine's <see cref="IMediaPlane"/>; when it answers later (Janus), the handler finishes
/// under the lock again once the media plane is done, without blocking this socket's other requests.
/// </summary>
internal sealed partial class RpcDispatcher(EmulatorEngine engine, ILogger logger)
{
    private static readonly TimeSpan LeaveCloseGrace = TimeSpan.FromSeconds(10);

    private sealed record Call(RpcPeer Peer, JsonNode? Id, JsonObject Params)
    {
        public bool Answered { get; private set; }

        /// <summary>The answer waits for the media plane (see <see cref="RpcDispatcher.Then"/>).</summary>
        public bool Deferred { get; set; }

        public void Ok(JsonObject? result = null)
        {
            Answered = true;
            Peer.Respond(Id, result ?? []);
        }

        public void Fail(int code, string message)
        {
            Answered = true;
            Peer.RespondError(Id, code, message);
        }

        public string? Str(string key) => Params[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

        public bool Bool(string key, bool fallback = false) =>
            Params[key] is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>() : fallback;

        public int Int(string key, int fallback) =>
            Params[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var n) ? n : fallback;
    }

    public void Handle(RpcPeer peer, JsonObject request)
    {
        var id = request["id"];
        var method = request["method"] is JsonValue m && m.GetValueKind() == JsonValueKind.String ? m.GetValue<string>() : null;
        if (method is null || id is null)
        {
            // A response or a notification from the client: nothing to answer.
            return;
        }

        var call = new Call(peer, id, request["params"] as JsonObject ?? []);
        LogRequest(method, peer.RpcSessionId);
        switch (method)
        {
            case "ping":
                WatchPings(peer, call);
                peer.Respond(id, new JsonObject { ["value"] = "pong" }, injectSessionId: false);
                return;
            case "echo":
                call.Ok();
                return;
        }

        engine.Mutate(() =>
        {
            switch (method)
            {
                case "connect":
                    Reconnect(call);
                    break;
                case "joinRoom":
                    JoinRoom(call);
                    break;
                default:
                    var me = peer.Participant;
                    if (me is null || !me.Session.Connections.Contains(me))
                    {
                        call.Fail(803, $"No connection found for participant with privateId {peer.RpcSessionId}");
                    }
                    else
                    {
                        Dispatch(method, call, me);
                    }

                    break;
            }

            if (!call.Answered && !call.Deferred)
            {
                call.Fail(-32603, $"Method {method} was not answered");
            }
        });
    }

    private void Dispatch(string method, Call call, EmulatedConnection me)
    {
        switch (method)
        {
            case "publishVideo": PublishVideo(call, me); break;
            case "unpublishVideo": UnpublishVideo(call, me); break;
            case "receiveVideoFrom": ReceiveVideoFrom(call, me); break;
            case "unsubscribeFromVideo": UnsubscribeFromVideo(call, me); break;
            case "streamPropertyChanged": StreamPropertyChanged(call, me); break;
            case "sendMessage": SendMessage(call, me); break;
            case "forceDisconnect": ForceDisconnect(call, me); break;
            case "forceUnpublish": ForceUnpublish(call, me); break;
            case "leaveRoom": LeaveRoom(call, me); break;
            case "reconnectStream": ReconnectStream(call, me); break;
            case "prepareReceiveVideoFrom" when Media.ServerOffersToSubscribers: PrepareReceiveVideoFrom(call, me); break;
            case "onIceCandidate": OnIceCandidate(call, me); break;
            case "videoData" or "applyFilter" or "execFilterMethod" or "removeFilter"
                or "addFilterEventListener" or "removeFilterEventListener":
                call.Ok();
                break;
            default:
                call.Fail(-32601, $"Method not found: {method}");
                break;
        }
    }

    private IMediaPlane Media => engine.Media;

    /// <summary>
    /// The server's ping watchdog (contract §3.1): the first ping announces the client's interval; a socket silent for
    /// three intervals (or <see cref="EmulatorOptions.PingTimeout"/>) is closed and its participant evicted.
    /// </summary>
    private void WatchPings(RpcPeer peer, Call call)
    {
        var announced = call.Int("interval", 0);
        if (announced > 0)
        {
            peer.PingInterval = TimeSpan.FromMilliseconds(announced);
        }

        var timeout = engine.Options.PingTimeout ?? peer.PingInterval * 3;
        if (timeout > TimeSpan.Zero)
        {
            peer.Pinged(timeout);
        }
    }

    /// <summary>
    /// Finishes a request once the media plane's <paramref name="media"/> task is done. A task that is already
    /// complete (fake SDP) finishes inline, under the lock still held, exactly as before the media plane existed;
    /// otherwise the socket goes on reading (ICE candidates for this very PeerConnection may be next) and
    /// <paramref name="finish"/> runs later under the lock. A media failure becomes a JSON-RPC error.
    /// </summary>
    private void Then<T>(Call call, Task<T> media, int errorCode, Action<T> finish)
    {
        if (media.IsCompletedSuccessfully)
        {
            finish(media.Result);
            return;
        }

        call.Deferred = true;
        _ = FinishLaterAsync();

        async Task FinishLaterAsync()
        {
            try
            {
                var result = await media;
                engine.Mutate(() => finish(result));
            }
            catch (Exception ex) when (ex is JanusException or HttpRequestException or OperationCanceledException or JsonException or InvalidOperationException)
            {
                LogMediaFailure(ex.Message);
                call.Fail(errorCode, "Media server error: " + ex.Message);
            }
        }
    }

    private void Then(Call call, Task media, int errorCode, Action finish) =>
        Then(call, AsBool(media), errorCode, _ => finish());

    // Completes synchronously when the media task already has (fake SDP), rethrows its failure or cancellation.
    private static Task<bool> AsBool(Task media) => media.IsCompletedSuccessfully ? Task.FromResult(true) : AwaitAsync(media);

    private static async Task<bool> AwaitAsync(Task media)
    {
        await media;
        return true;
    }

    /// <summary>True while <paramref name="me"/> is still in its session (a deferred answer may find it gone).</summary>
    private static bool StillThere(Call call, EmulatedConnection me)
    {
        if (me.IsActive && me.Session.Connections.Contains(me))
        {
            return true;
        }

        call.Fail(803, $"No connection found for participant with privateId {call.Peer.RpcSessionId}");
        return false;
    }

    private void Reconnect(Call call)
    {
        var rpcSessionId = call.Str("sessionId");
        var participant = rpcSessionId is null ? null : engine.FindParticipantByRpcSessionLocked(rpcSessionId);
        if (participant is null)
        {
            call.Fail(40007, "reconnection error");
            return;
        }

        if (participant.Peer is { } old && old != call.Peer)
        {
            old.Participant = null;
            old.Abort();
        }

        participant.Peer = call.Peer;
        call.Peer.Participant = participant;
        call.Ok(new JsonObject { ["value"] = "reconnection successful" });
    }

    private void JoinRoom(Call call)
    {
        var sessionId = call.Str("session");
        var tokenUrl = call.Str("token");
        var session = sessionId is null ? null : engine.FindSessionLocked(sessionId);
        if (session is null)
        {
            call.Fail(202, $"Session {sessionId} not found");
            return;
        }

        if (call.Params["metadata"] is JsonNode md && md.GetValueKind() != JsonValueKind.String)
        {
            call.Fail(500, "Metadata format set in client-side is incorrect");
            return;
        }

        var tokenId = TokenIdOf(tokenUrl);
        var connection = session.Connections.Find(c => !c.IsActive && c.TokenId == tokenId);
        var secret = call.Str("secret");
        if (connection is null && !string.IsNullOrEmpty(secret) && secret == engine.Options.Secret)
        {
            // Insecure mode (contract P5): a valid secret mints a token on the fly.
            var newTokenId = Ids.NewTokenId();
            connection = new EmulatedConnection(session, Ids.NewConnectionId(), newTokenId,
                $"{engine.WsUrl}?sessionId={Uri.EscapeDataString(session.Id)}&token={newTokenId}", Ids.NowMs());
            session.Connections.Add(connection);
        }

        if (connection is null || call.Peer.Participant is not null)
        {
            call.Fail(401, $"Token {tokenUrl} is not valid");
            return;
        }

        var now = Ids.NowMs();
        connection.IsActive = true;
        connection.ActiveAt = now;
        connection.Location = "unknown";
        connection.Ip = call.Peer.RemoteIp;
        connection.Platform = call.Str("platform") ?? "unknown";
        connection.ClientData = call.Str("metadata") ?? "";
        connection.Peer = call.Peer;
        connection.RpcSessionId = call.Peer.RpcSessionId;
        call.Peer.Participant = connection;
        session.Active = true;

        engine.Webhook("participantJoined", session, EmulatorEngine.ParticipantFields(connection));
        var others = session.ActiveConnections.Where(c => c != connection).ToList();
        foreach (var other in others)
        {
            other.Peer?.Notify("participantJoined", new JsonObject
            {
                ["id"] = connection.Id,
                ["createdAt"] = now,
                ["metadata"] = connection.Metadata,
            });
        }

        var host = engine.PublicHost;
        var turnUser = Ids.NewOpaque(8).ToUpperInvariant();
        var turnCredential = Ids.NewOpaque(8).ToLowerInvariant();
        var iceServers = connection.CustomIceServers.Count > 0
            ? connection.CustomIceServers.DeepClone().AsArray()
            : new JsonArray(new JsonObject
            {
                ["url"] = $"turn:{host}:3478",
                ["username"] = turnUser,
                ["credential"] = turnCredential,
            });

        var result = new JsonObject
        {
            ["id"] = connection.Id,
            ["finalUserId"] = Ids.NewHex(8),
            ["createdAt"] = now,
            ["metadata"] = connection.Metadata,
            ["value"] = new JsonArray([.. others.Select(JsonShapes.RpcParticipant)]),
            ["session"] = session.Id,
            ["version"] = EmulatorEngine.Version,
            ["mediaServer"] = Media.MediaServer,
            ["videoSimulcast"] = false,
            ["record"] = connection.Record,
            ["role"] = connection.Role,
            ["coturnIp"] = host,
            ["coturnPort"] = 3478,
            ["turnUsername"] = turnUser,
            ["turnCredential"] = turnCredential,
            ["customIceServers"] = Media.IceServers ?? iceServers,
        };
        if (session.Recording is { Status: "started" } recording && connection.Role is "PUBLISHER" or "MODERATOR")
        {
            // openvidu-browser fires recordingStarted right after connect (contract §3.2).
            result["recordingId"] = recording.Id;
            result["recordingName"] = recording.Name;
        }

        call.Ok(result);
    }

    private static string? TokenIdOf(string? tokenUrl)
    {
        if (tokenUrl is null)
        {
            return null;
        }

        var query = tokenUrl.IndexOf('?', StringComparison.Ordinal);
        if (query < 0)
        {
            return tokenUrl;
        }

        var parameters = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(tokenUrl[query..]);
        return parameters.TryGetValue("token", out var token) ? token.ToString() : null;
    }

    private void PublishVideo(Call call, EmulatedConnection me)
    {
        if (me.Role == "SUBSCRIBER")
        {
            call.Fail(401, "Unable to publish video. The user does not have a valid token");
            return;
        }

        if (me.Stream is not null)
        {
            call.Fail(106, $"User {me.Id} is already publishing");
            return;
        }

        var offer = call.Str("sdpOffer");
        if (string.IsNullOrEmpty(offer))
        {
            call.Fail(302, "SDP offer is missing");
            return;
        }

        var hasVideo = call.Bool("hasVideo", true);
        var typeOfVideo = hasVideo ? call.Str("typeOfVideo") ?? "CAMERA" : null;
        Then(call, Media.PublishAsync(me.Session.Id, me.Id, offer), 302, answer => FinishPublish(call, me, offer, answer, hasVideo, typeOfVideo));
    }

    private void FinishPublish(Call call, EmulatedConnection me, string offer, string answer, bool hasVideo, string? typeOfVideo)
    {
        if (!StillThere(call, me))
        {
            Media.Unpublished(me.Id);
            return;
        }

        var stream = new EmulatedStream(Ids.NewStreamId(me.Id, hasVideo, typeOfVideo), Ids.NowMs())
        {
            HasAudio = call.Bool("hasAudio", true),
            HasVideo = hasVideo,
            AudioActive = call.Bool("audioActive", true),
            VideoActive = call.Bool("videoActive", hasVideo),
            TypeOfVideo = typeOfVideo,
            FrameRate = call.Int("frameRate", -1),
            VideoDimensions = call.Str("videoDimensions"),
            Filter = call.Params["filter"] as JsonObject is { } filter ? filter.DeepClone().AsObject() : [],
            SdpOffer = offer,
            SdpAnswer = answer,
        };
        me.Stream = stream;
        call.Ok(new JsonObject { ["sdpAnswer"] = answer, ["id"] = stream.Id, ["createdAt"] = stream.CreatedAt });
        foreach (var other in me.Session.ActiveConnections.Where(c => c != me))
        {
            other.Peer?.Notify("participantPublished", new JsonObject
            {
                ["id"] = me.Id,
                ["streams"] = new JsonArray(JsonShapes.RpcStream(stream)),
            });
        }

        engine.WebrtcCreatedWebhook(me, null, stream);
    }

    private void UnpublishVideo(Call call, EmulatedConnection me)
    {
        if (me.Stream is null)
        {
            call.Fail(105, $"User {me.Id} is not publishing");
            return;
        }

        call.Ok();
        engine.StopPublishingLocked(me, "unpublish", notify: true);
    }

    private void ReceiveVideoFrom(Call call, EmulatedConnection me)
    {
        if (FindStreaming(call, me, call.Str("sender") ?? "") is not ({ } publisher, { } stream))
        {
            return;
        }

        if (Media.ServerOffersToSubscribers && call.Str("sdpAnswer") is { } browserAnswer)
        {
            // mediasoup flow: the browser answers the offer prepareReceiveVideoFrom gave it.
            Then(call, Media.StartSubscribeAsync(me.Id, publisher.Id, browserAnswer), 105,
                () => FinishSubscribe(call, me, publisher, stream, "", browserAnswer, new JsonObject()));
            return;
        }

        var offer = call.Str("sdpOffer") ?? "";
        Then(call, Media.SubscribeWithOfferAsync(me.Session.Id, me.Id, publisher.Id, offer), 105,
            answer => FinishSubscribe(call, me, publisher, stream, offer, answer, new JsonObject { ["sdpAnswer"] = answer }));
    }

    private void FinishSubscribe(Call call, EmulatedConnection me, EmulatedConnection publisher, EmulatedStream stream, string offer, string answer, JsonObject result)
    {
        if (!StillThere(call, me))
        {
            return;
        }

        if (publisher.Stream != stream)
        {
            call.Fail(105, $"User {publisher.Id} is not streaming");
            return;
        }

        me.Subscriptions.RemoveAll(s => s.StreamId == stream.Id);
        me.Subscriptions.Add(new EmulatedSubscription(stream.Id, publisher.Id, Ids.NowMs(), offer, answer));
        call.Ok(result);
        engine.WebrtcCreatedWebhook(me, publisher, stream);
    }

    /// <summary>The publisher a <c>sender</c> (streamId, or connectionId) designates, or an error answered.</summary>
    private static (EmulatedConnection Publisher, EmulatedStream Stream)? FindStreaming(Call call, EmulatedConnection me, string sender)
    {
        var at = sender.LastIndexOf("con_", StringComparison.Ordinal);
        var publisherId = at >= 0 ? sender[at..] : sender;
        var publisher = me.Session.ActiveConnections.FirstOrDefault(c => c.Id == publisherId);
        if (publisher is null)
        {
            call.Fail(102, $"User {publisherId} not found in session {me.Session.Id}");
            return null;
        }

        if (publisher.Stream is not { } stream || (sender.StartsWith("str_", StringComparison.Ordinal) && stream.Id != sender))
        {
            call.Fail(105, $"User {publisherId} is not streaming");
            return null;
        }

        return (publisher, stream);
    }

    /// <summary>mediasoup flow (only when the media plane offers to subscribers): <c>{sender, reconnect}</c> → <c>{sdpOffer}</c>.</summary>
    private void PrepareReceiveVideoFrom(Call call, EmulatedConnection me)
    {
        if (FindStreaming(call, me, call.Str("sender") ?? "") is not ({ } publisher, { } stream))
        {
            return;
        }

        Then(call, Media.PrepareSubscribeAsync(me.Session.Id, me.Id, publisher.Id, call.Bool("reconnect")), 105, offer =>
        {
            if (StillThere(call, me))
            {
                if (publisher.Stream == stream)
                {
                    call.Ok(new JsonObject { ["sdpOffer"] = offer });
                }
                else
                {
                    call.Fail(105, $"User {publisher.Id} is not streaming");
                }
            }
        });
    }

    /// <summary>
    /// ICE restart. Publisher: <c>{stream: own streamId, sdpString: offer}</c> → <c>{sdpAnswer}</c>. Subscriber
    /// (mediasoup flow, after prepareReceiveVideoFrom with reconnect): <c>{stream, sdpString: answer}</c> → <c>{}</c>.
    /// </summary>
    private void ReconnectStream(Call call, EmulatedConnection me)
    {
        var streamId = call.Str("stream") ?? "";
        var sdp = call.Str("sdpOffer") ?? call.Str("sdpString") ?? "";
        string? publisherId = null;
        if (Media.ServerOffersToSubscribers && me.Stream?.Id != streamId)
        {
            if (FindStreaming(call, me, streamId) is not ({ } publisher, _))
            {
                return;
            }

            publisherId = publisher.Id;
        }

        Then(call, Media.ReconnectStreamAsync(me.Id, publisherId, sdp), 302, answer =>
        {
            if (StillThere(call, me))
            {
                call.Ok(answer is null ? [] : new JsonObject { ["sdpAnswer"] = answer });
                if (publisherId is null && Media.ServerOffersToSubscribers && me.Stream is { } stream)
                {
                    ReconnectSubscribersOf(me, stream);
                }
            }
        });
    }

    /// <summary>
    /// After a publisher's reconnection the media server has a new publication, so, as OpenVidu does with mediasoup,
    /// each subscriber gets <c>forciblyReconnectSubscriber {connectionId, streamId, sdpOffer}</c> with a fresh offer;
    /// openvidu-browser answers it with <c>reconnectStream {stream, sdpString, forciblyReconnect: true}</c>.
    /// </summary>
    private void ReconnectSubscribersOf(EmulatedConnection publisher, EmulatedStream stream)
    {
        foreach (var subscriber in publisher.Session.ActiveConnections.Where(c => c.Subscriptions.Exists(s => s.StreamId == stream.Id)).ToList())
        {
            var offer = Media.PrepareSubscribeAsync(publisher.Session.Id, subscriber.Id, publisher.Id, reconnect: true);
            _ = offer.ContinueWith(t => engine.Mutate(() =>
            {
                if (t.IsCompletedSuccessfully && publisher.Stream == stream && subscriber.Peer is { } peer)
                {
                    peer.Notify("forciblyReconnectSubscriber", new JsonObject
                    {
                        ["connectionId"] = publisher.Id,
                        ["streamId"] = stream.Id,
                        ["sdpOffer"] = t.Result,
                    });
                }
                else if (t.IsFaulted)
                {
                    LogMediaFailure(t.Exception!.GetBaseException().Message);
                }
            }), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// The browser's candidates. Answered at once (openvidu-browser only reports errors), trickled to Janus in the
    /// background: the handle may still be attaching.
    /// </summary>
    private void OnIceCandidate(Call call, EmulatedConnection me)
    {
        var candidate = new JsonObject
        {
            ["candidate"] = call.Str("candidate"),
            ["sdpMid"] = call.Str("sdpMid"),
            ["sdpMLineIndex"] = call.Int("sdpMLineIndex", 0),
        };
        var trickle = Media.AddIceCandidateAsync(me.Id, call.Str("endpointName") ?? me.Id, candidate);
        _ = trickle.ContinueWith(t => LogMediaFailure(t.Exception!.GetBaseException().Message),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        call.Ok();
    }

    private void UnsubscribeFromVideo(Call call, EmulatedConnection me)
    {
        var sender = call.Str("sender");
        var subscription = me.Subscriptions.Find(s => s.PublisherConnectionId == sender || s.StreamId == sender);
        if (subscription is null)
        {
            call.Fail(102, $"User {sender} not found in session {me.Session.Id}");
            return;
        }

        me.Subscriptions.Remove(subscription);
        Media.Unsubscribed(me.Id, subscription.PublisherConnectionId);
        call.Ok();
        var publisher = me.Session.FindConnection(subscription.PublisherConnectionId);
        engine.WebrtcDestroyedWebhook(me, publisher, subscription.StreamId, subscription.CreatedAt, "unsubscribe");
    }

    private static void StreamPropertyChanged(Call call, EmulatedConnection me)
    {
        var streamId = call.Str("streamId");
        var property = call.Str("property");
        var newValue = call.Params["newValue"];
        if (me.Stream is { } stream && stream.Id == streamId)
        {
            switch (property)
            {
                case "audioActive" when newValue?.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                    stream.AudioActive = newValue.GetValue<bool>();
                    break;
                case "videoActive" when newValue?.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                    stream.VideoActive = newValue.GetValue<bool>();
                    break;
                case "videoDimensions" when newValue?.GetValueKind() == JsonValueKind.String:
                    stream.VideoDimensions = newValue.GetValue<string>();
                    break;
            }
        }

        call.Ok();

        // Like the Java server, forward newValue.toString(): "true"/"false", a quoted JSON string, or the object itself.
        JsonNode? forwarded = newValue is JsonObject or JsonArray ? newValue.DeepClone() : newValue is null ? null : JsonValue.Create(JsonText.Write(newValue));
        foreach (var other in me.Session.ActiveConnections.Where(c => c != me))
        {
            other.Peer?.Notify("streamPropertyChanged", new JsonObject
            {
                ["connectionId"] = me.Id,
                ["streamId"] = streamId,
                ["property"] = property,
                ["newValue"] = forwarded?.DeepClone(),
                ["reason"] = call.Str("reason"),
            });
        }
    }

    private void SendMessage(Call call, EmulatedConnection me)
    {
        JsonObject? message = null;
        try
        {
            message = call.Str("message") is { } text ? JsonNode.Parse(text) as JsonObject : null;
        }
        catch (JsonException)
        {
        }

        if (message is null)
        {
            call.Fail(600, "Signal message is not a valid JSON object");
            return;
        }

        var active = me.Session.ActiveConnections.ToList();
        var to = message["to"] as JsonArray ?? [];
        var recipients = to.Select(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null).ToList();
        List<EmulatedConnection> targets = active;
        if (recipients.Count > 0)
        {
            targets = [.. recipients.Select(id => active.Find(c => c.Id == id)).OfType<EmulatedConnection>()];
            if (targets.Count != recipients.Count)
            {
                call.Fail(601, "Signal \"to\" field invalid format: some connection id does not belong to the session");
                return;
            }
        }

        string? Text(string key) => message[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : message[key] is { } other ? JsonText.Write(other) : null;
        var type = Text("type");
        var data = Text("data");
        foreach (var target in targets)
        {
            target.Peer?.Notify("sendMessage", new JsonObject { ["data"] = data, ["type"] = type, ["from"] = me.Id });
        }

        call.Ok();
        engine.Webhook("signalSent", me.Session,
        [
            new("from", me.Id),
            new("to", new JsonArray([.. targets.Select(t => (JsonNode?)JsonValue.Create(t.Id))])),
            new("type", type),
            new("data", data),
        ]);
    }

    private void ForceDisconnect(Call call, EmulatedConnection me)
    {
        if (me.Role != "MODERATOR")
        {
            call.Fail(401, $"The user {me.Id} is not authorized to call forceDisconnect");
            return;
        }

        var victim = me.Session.ActiveConnections.FirstOrDefault(c => c.Id == call.Str("connectionId"));
        if (victim is null)
        {
            call.Fail(102, $"Connection {call.Str("connectionId")} not found");
            return;
        }

        engine.EvictLocked(victim, "forceDisconnectByUser", afterLeft: () => call.Ok());
    }

    private void ForceUnpublish(Call call, EmulatedConnection me)
    {
        if (me.Role != "MODERATOR")
        {
            call.Fail(401, $"The user {me.Id} is not authorized to call forceUnpublish");
            return;
        }

        var streamId = call.Str("streamId");
        var publisher = me.Session.ActiveConnections.FirstOrDefault(c => c.Stream?.Id == streamId);
        if (publisher is null)
        {
            call.Fail(102, $"Stream {streamId} not found");
            return;
        }

        engine.StopPublishingLocked(publisher, "forceUnpublishByUser", notify: true, includePublisher: true);
        call.Ok();
    }

    private void LeaveRoom(Call call, EmulatedConnection me)
    {
        engine.RemoveParticipantLocked(me, "disconnect", closeSessionIfEmpty: false);
        call.Ok();
        engine.CloseIfEmptyLocked(me.Session, "disconnect");
        call.Peer.CloseAfter(LeaveCloseGrace);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Media plane failure: {Reason}")]
    private partial void LogMediaFailure(string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "RPC {Method} from {RpcSessionId}")]
    private partial void LogRequest(string method, string rpcSessionId);
}
