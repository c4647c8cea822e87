using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using OpenViduEmulator.State;

namespace OpenViduEmulator.Rpc;

/// <summary>
/// The JSON-RPC methods of openvidu-server 2.32 (contract §3.2–§3.5). Every request gets exactly one answer;
/// each handler runs under the engine's lock, so answers and notifications leave in a consistent order.
/// </summary>
internal sealed partial class RpcDispatcher(EmulatorEngine engine, ILogger logger)
{
    private static readonly TimeSpan LeaveCloseGrace = TimeSpan.FromSeconds(10);

    private sealed record Call(RpcPeer Peer, JsonNode? Id, JsonObject Params)
    {
        public bool Answered { get; private set; }

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

            if (!call.Answered)
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
            case "reconnectStream":
                call.Ok(new JsonObject { ["sdpAnswer"] = SdpAnswer.Build(call.Str("sdpOffer") ?? call.Str("sdpString") ?? "") });
                break;
            case "onIceCandidate" or "videoData" or "applyFilter" or "execFilterMethod" or "removeFilter"
                or "addFilterEventListener" or "removeFilterEventListener":
                call.Ok();
                break;
            default:
                call.Fail(-32601, $"Method not found: {method}");
                break;
        }
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

        call.Ok(new JsonObject
        {
            ["id"] = connection.Id,
            ["finalUserId"] = Ids.NewHex(8),
            ["createdAt"] = now,
            ["metadata"] = connection.Metadata,
            ["value"] = new JsonArray([.. others.Select(JsonShapes.RpcParticipant)]),
            ["session"] = session.Id,
            ["version"] = EmulatorEngine.Version,
            ["mediaServer"] = "kurento",
            ["videoSimulcast"] = false,
            ["record"] = connection.Record,
            ["role"] = connection.Role,
            ["coturnIp"] = host,
            ["coturnPort"] = 3478,
            ["turnUsername"] = turnUser,
            ["turnCredential"] = turnCredential,
            ["customIceServers"] = iceServers,
        });
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
        var answer = SdpAnswer.Build(offer);
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
        var sender = call.Str("sender") ?? "";
        var at = sender.LastIndexOf("con_", StringComparison.Ordinal);
        var publisherId = at >= 0 ? sender[at..] : sender;
        var publisher = me.Session.ActiveConnections.FirstOrDefault(c => c.Id == publisherId);
        if (publisher is null)
        {
            call.Fail(102, $"User {publisherId} not found in session {me.Session.Id}");
            return;
        }

        if (publisher.Stream is not { } stream || (sender.StartsWith("str_", StringComparison.Ordinal) && stream.Id != sender))
        {
            call.Fail(105, $"User {publisherId} is not streaming");
            return;
        }

        var offer = call.Str("sdpOffer") ?? "";
        var answer = SdpAnswer.Build(offer);
        me.Subscriptions.RemoveAll(s => s.StreamId == stream.Id);
        me.Subscriptions.Add(new EmulatedSubscription(stream.Id, publisher.Id, Ids.NowMs(), offer, answer));
        call.Ok(new JsonObject { ["sdpAnswer"] = answer });
        engine.WebrtcCreatedWebhook(me, publisher, stream);
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "RPC {Method} from {RpcSessionId}")]
    private partial void LogRequest(string method, string rpcSessionId);
}
