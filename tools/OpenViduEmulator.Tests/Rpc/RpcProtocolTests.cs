using System.Net;
using System.Text.Json.Nodes;
using OpenViduEmulator.Tests.Infrastructure;

namespace OpenViduEmulator.Tests.Rpc;

/// <summary>The browser protocol (contract §3) with a raw JSON-RPC client, and the session lifecycle it drives (§1.6).</summary>
public sealed class RpcProtocolTests : IAsyncLifetime
{
    private EmulatorRoom room = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => room = await EmulatorRoom.StartAsync();

    public ValueTask DisposeAsync() => room.DisposeAsync();

    [Fact]
    public async Task Ping_AnswersPong()
    {
        var id = await room.Http.CreateSessionAsync();
        var (_, token) = await room.Http.CreateConnectionAsync(id);
        await using var client = await OpenViduRpcClient.OpenAsync(token, TestContext.Current.CancellationToken);

        var response = await client.CallAsync("ping", new JsonObject { ["interval"] = 5000 });

        Assert.Equal("""{"id":0,"result":{"value":"pong"},"jsonrpc":"2.0"}""", response.ToJsonString());
    }

    [Fact]
    public async Task JoinRoom_ReturnsTheFieldsOpenViduBrowserNeeds()
    {
        var id = await room.Http.CreateSessionAsync("join-shape");
        var first = await room.JoinAsync(id, serverData: "srv1", clientData: "cli1");
        var streamId = await first.PublishAsync();

        var second = await room.JoinAsync(id, "MODERATOR", serverData: "srv2", clientData: "cli2");
        var result = second.JoinResult;

        Assert.Equal(
            ["id", "finalUserId", "createdAt", "metadata", "value", "session", "version", "mediaServer", "videoSimulcast",
             "record", "role", "coturnIp", "coturnPort", "turnUsername", "turnCredential", "customIceServers", "sessionId"],
            result.Keys());
        Assert.Equal(second.ConnectionId, (string)result["id"]!);
        Assert.Equal("cli2%/%srv2", (string)result["metadata"]!);
        Assert.Equal("join-shape", (string)result["session"]!);
        Assert.Equal("2.32.2", (string)result["version"]!);
        Assert.Equal("kurento", (string)result["mediaServer"]!);
        Assert.False((bool)result["videoSimulcast"]!);
        Assert.Equal("MODERATOR", (string)result["role"]!);
        Assert.Equal("127.0.0.1", (string)result["coturnIp"]!);
        Assert.False(string.IsNullOrEmpty((string?)result["sessionId"]));
        var other = Assert.Single(result["value"]!.AsArray())!.AsObject();
        Assert.Equal(first.ConnectionId, (string)other["id"]!);
        Assert.Equal("cli1%/%srv1", (string)other["metadata"]!);
        var stream = other["streams"]![0]!.AsObject();
        Assert.Equal(streamId, (string)stream["id"]!);
        Assert.Equal(
            ["id", "createdAt", "hasAudio", "hasVideo", "audioActive", "videoActive", "typeOfVideo", "frameRate", "videoDimensions", "filter"],
            stream.Keys());
        var joined = await first.Rpc.WaitForNotificationAsync("participantJoined");
        Assert.Equal(second.ConnectionId, (string)joined["id"]!);
        Assert.Equal("cli2%/%srv2", (string)joined["metadata"]!);
    }

    [Fact]
    public async Task JoinRoom_MakesTheConnectionActive_WithClientDataAndPlatform()
    {
        var id = await room.Http.CreateSessionAsync();
        var joined = await room.JoinAsync(id, serverData: "srv", clientData: "cli");

        var json = await (await room.Http.GetAsync($"openvidu/api/sessions/{id}/connection/{joined.ConnectionId}", Ct)).ReadObjectAsync();
        var session = await (await room.Http.GetAsync($"openvidu/api/sessions/{id}", Ct)).ReadObjectAsync();

        Assert.Equal("active", (string)json["status"]!);
        Assert.NotNull(json["activeAt"]);
        Assert.Equal("cli", (string)json["clientData"]!);
        Assert.Equal("srv", (string)json["serverData"]!);
        Assert.Equal(OpenViduRpcClient.Platform, (string)json["platform"]!);
        Assert.Equal("127.0.0.1", (string)json["ip"]!);
        Assert.Equal("[]", json["publishers"]!.ToJsonString());
        Assert.Equal("[]", json["subscribers"]!.ToJsonString());
        Assert.Equal(1, (int)session["connections"]!["numberOfElements"]!);
        Assert.True(room.Controls.Sessions.Single().Active);
    }

    [Fact]
    public async Task JoinRoom_Errors_202UnknownSession_401ReusedOrBogusToken()
    {
        var id = await room.Http.CreateSessionAsync();
        var joined = await room.JoinAsync(id);
        await using var client = await OpenViduRpcClient.OpenAsync(joined.Token, TestContext.Current.CancellationToken);

        var reused = await client.CallAsync("joinRoom", JoinParams(joined.Token, id));
        var bogus = await client.CallAsync("joinRoom", JoinParams(joined.Token.Replace("tok_", "tok_X", StringComparison.Ordinal), id));
        var unknown = await client.CallAsync("joinRoom", JoinParams(joined.Token, "ghost"));

        Assert.Equal(401, (int)reused["error"]!["code"]!);
        Assert.Equal(401, (int)bogus["error"]!["code"]!);
        Assert.Equal(202, (int)unknown["error"]!["code"]!);
    }

    [Fact]
    public async Task MethodsBeforeJoin_Are803_AndUnknownMethodsGetAnError()
    {
        var id = await room.Http.CreateSessionAsync();
        var (_, token) = await room.Http.CreateConnectionAsync(id);
        await using var client = await OpenViduRpcClient.OpenAsync(token, TestContext.Current.CancellationToken);

        var early = await client.CallAsync("publishVideo", new JsonObject { ["sdpOffer"] = FakeSdp.Offer("sendonly") });
        await using var member = await OpenViduRpcClient.JoinAsync(token, cancellationToken: Ct);
        var unknown = await member.CallAsync("noSuchMethod", []);
        var ice = await member.CallAsync("onIceCandidate", new JsonObject { ["candidate"] = "candidate:1", ["sdpMid"] = "0", ["sdpMLineIndex"] = 0 });
        var echo = await member.CallAsync("echo", []);

        Assert.Equal(803, (int)early["error"]!["code"]!);
        Assert.NotNull(unknown["error"]);
        Assert.NotNull(ice["result"]);
        Assert.NotNull(echo["result"]);
    }

    [Fact]
    public async Task Publish_AnswersSdpAndStreamId_OthersGetParticipantPublished()
    {
        var id = await room.Http.CreateSessionAsync();
        var watcher = await room.JoinAsync(id);
        var publisher = await room.JoinAsync(id);

        var response = await publisher.Rpc.CallAsync("publishVideo", new JsonObject
        {
            ["hasAudio"] = true, ["hasVideo"] = true, ["audioActive"] = true, ["videoActive"] = true,
            ["typeOfVideo"] = "SCREEN", ["frameRate"] = 30, ["videoDimensions"] = """{"width":640,"height":480}""",
            ["sdpOffer"] = FakeSdp.Offer("sendonly"),
        });
        var published = await watcher.Rpc.WaitForNotificationAsync("participantPublished");

        var result = response["result"]!.AsObject();
        var streamId = (string)result["id"]!;
        Assert.Matches($"^str_SCR_[A-Za-z0-9]{{4}}_{publisher.ConnectionId}$", streamId);
        var answer = (string)result["sdpAnswer"]!;
        Assert.Contains("a=group:BUNDLE 0 1", answer, StringComparison.Ordinal);
        Assert.Contains("a=recvonly", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("a=sendonly", answer, StringComparison.Ordinal);
        Assert.Contains("a=setup:active", answer, StringComparison.Ordinal);
        Assert.Contains("a=rtpmap:96 VP8/90000", answer, StringComparison.Ordinal);
        Assert.Contains("a=rtcp-rsize", answer, StringComparison.Ordinal);
        Assert.Matches("a=fingerprint:sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}", answer);
        Assert.Equal(publisher.ConnectionId, (string)published["id"]!);
        Assert.Equal(streamId, (string)published["streams"]![0]!["id"]!);
        Assert.Empty(publisher.Rpc.NotificationsOf("participantPublished"));
        var rest = await (await room.Http.GetAsync($"openvidu/api/sessions/{id}/connection/{publisher.ConnectionId}", Ct)).ReadObjectAsync();
        Assert.Equal(streamId, (string)rest["publishers"]![0]!["streamId"]!);
        Assert.Equal("SCREEN", (string)rest["publishers"]![0]!["mediaOptions"]!["typeOfVideo"]!);
    }

    [Fact]
    public async Task Publish_AsSubscriber_Is401_AndTwiceIs106()
    {
        var id = await room.Http.CreateSessionAsync();
        var subscriber = await room.JoinAsync(id, "SUBSCRIBER");
        var publisher = await room.JoinAsync(id);
        await publisher.PublishAsync();

        var denied = await subscriber.Rpc.CallAsync("publishVideo", new JsonObject { ["sdpOffer"] = FakeSdp.Offer("sendonly") });
        var twice = await publisher.Rpc.CallAsync("publishVideo", new JsonObject { ["sdpOffer"] = FakeSdp.Offer("sendonly") });

        Assert.Equal(401, (int)denied["error"]!["code"]!);
        Assert.Equal(106, (int)twice["error"]!["code"]!);
    }

    [Fact]
    public async Task Subscribe_AnswersSendonlySdp_AndUnsubscribeByConnectionId()
    {
        var id = await room.Http.CreateSessionAsync();
        var publisher = await room.JoinAsync(id);
        var streamId = await publisher.PublishAsync();
        var subscriber = await room.JoinAsync(id, "SUBSCRIBER");

        var response = await subscriber.Rpc.CallAsync("receiveVideoFrom", new JsonObject { ["sender"] = streamId, ["sdpOffer"] = FakeSdp.Offer("recvonly") });
        var subscribed = room.Controls.Snapshot().FindConnection(subscriber.ConnectionId)!.SubscribedStreamIds;
        var unknown = await subscriber.Rpc.CallAsync("receiveVideoFrom", new JsonObject { ["sender"] = "str_CAM_abcd_con_Nobody", ["sdpOffer"] = FakeSdp.Offer("recvonly") });
        var unsubscribe = await subscriber.Rpc.CallAsync("unsubscribeFromVideo", new JsonObject { ["sender"] = publisher.ConnectionId });

        var answer = (string)response["result"]!["sdpAnswer"]!;
        Assert.Contains("a=sendonly", answer, StringComparison.Ordinal);
        Assert.Contains("a=msid:", answer, StringComparison.Ordinal);
        Assert.Contains("cname:", answer, StringComparison.Ordinal);
        Assert.Equal([streamId], subscribed);
        Assert.Equal(102, (int)unknown["error"]!["code"]!);
        Assert.NotNull(unsubscribe["result"]);
        Assert.Empty(room.Controls.Snapshot().FindConnection(subscriber.ConnectionId)!.SubscribedStreamIds);
    }

    [Fact]
    public async Task Unpublish_Voluntary_NotifiesOthersOnly_WithReasonUnpublish()
    {
        var id = await room.Http.CreateSessionAsync();
        var watcher = await room.JoinAsync(id);
        var publisher = await room.JoinAsync(id);
        await publisher.PublishAsync();

        var response = await publisher.Rpc.CallAsync("unpublishVideo", []);
        var unpublished = await watcher.Rpc.WaitForNotificationAsync("participantUnpublished");
        var again = await publisher.Rpc.CallAsync("unpublishVideo", []);

        Assert.NotNull(response["result"]);
        Assert.Equal("unpublish", (string)unpublished["reason"]!);
        Assert.Equal(publisher.ConnectionId, (string)unpublished["connectionId"]!);
        Assert.Empty(publisher.Rpc.NotificationsOf("participantUnpublished"));
        Assert.Equal(105, (int)again["error"]!["code"]!);
    }

    [Fact]
    public async Task ForcedUnpublish_ByModeratorOrRest_NotifiesEveryoneIncludingTheOwner()
    {
        var id = await room.Http.CreateSessionAsync();
        var moderator = await room.JoinAsync(id, "MODERATOR");
        var publisher = await room.JoinAsync(id);
        var plain = await room.JoinAsync(id);
        var streamId = await publisher.PublishAsync();

        var denied = await plain.Rpc.CallAsync("forceUnpublish", new JsonObject { ["streamId"] = streamId });
        var ok = await moderator.Rpc.CallAsync("forceUnpublish", new JsonObject { ["streamId"] = streamId });
        var byUser = await publisher.Rpc.WaitForNotificationAsync("participantUnpublished");
        await moderator.Rpc.WaitForNotificationAsync("participantUnpublished");
        var second = await publisher.PublishAsync();
        using var rest = await room.Http.DeleteAsync($"openvidu/api/sessions/{id}/stream/{second}", Ct);
        var byServer = await publisher.Rpc.WaitForNotificationAsync("participantUnpublished", p => (string?)p["reason"] == "forceUnpublishByServer");
        using var gone = await room.Http.DeleteAsync($"openvidu/api/sessions/{id}/stream/{second}", Ct);

        Assert.Equal(401, (int)denied["error"]!["code"]!);
        Assert.NotNull(ok["result"]);
        Assert.Equal("forceUnpublishByUser", (string)byUser["reason"]!);
        Assert.Equal(HttpStatusCode.NoContent, rest.StatusCode);
        Assert.Equal(publisher.ConnectionId, (string)byServer["connectionId"]!);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task SendMessage_EmptyTo_ReachesEveryoneIncludingTheSender()
    {
        var id = await room.Http.CreateSessionAsync();
        var a = await room.JoinAsync(id);
        var b = await room.JoinAsync(id);

        var response = await a.Rpc.CallAsync("sendMessage", new JsonObject { ["message"] = """{"to":[],"data":"hi","type":"signal:chat"}""" });
        var atA = await a.Rpc.WaitForNotificationAsync("sendMessage");
        var atB = await b.Rpc.WaitForNotificationAsync("sendMessage");

        Assert.NotNull(response["result"]);
        Assert.Equal("""{"data":"hi","type":"signal:chat","from":"%"}""".Replace("%", a.ConnectionId, StringComparison.Ordinal), atA.ToJsonString());
        Assert.Equal(atA.ToJsonString(), atB.ToJsonString());
    }

    [Fact]
    public async Task SendMessage_ToUnknownId_Is601AndNobodyReceivesIt_ToOneReachesOnlyThem()
    {
        var id = await room.Http.CreateSessionAsync();
        var a = await room.JoinAsync(id);
        var b = await room.JoinAsync(id);
        var c = await room.JoinAsync(id);

        var bad = await a.Rpc.CallAsync("sendMessage", new JsonObject { ["message"] = $$"""{"to":["{{b.ConnectionId}}","con_Nobody"],"data":"x","type":"signal:t"}""" });
        var notJson = await a.Rpc.CallAsync("sendMessage", new JsonObject { ["message"] = "not json" });
        var good = await a.Rpc.CallAsync("sendMessage", new JsonObject { ["message"] = $$"""{"to":["{{c.ConnectionId}}"],"data":"only c","type":"signal:t"}""" });
        var atC = await c.Rpc.WaitForNotificationAsync("sendMessage");
        await b.Rpc.CallAsync("echo", []);

        Assert.Equal(601, (int)bad["error"]!["code"]!);
        Assert.Equal(600, (int)notJson["error"]!["code"]!);
        Assert.NotNull(good["result"]);
        Assert.Equal("only c", (string)atC["data"]!);
        Assert.Empty(b.Rpc.NotificationsOf("sendMessage"));
        Assert.Empty(a.Rpc.NotificationsOf("sendMessage"));
    }

    [Fact]
    public async Task RestSignal_ReachesParticipantsWithoutFrom_And406ForUnknownTo()
    {
        var id = await room.Http.CreateSessionAsync();
        var a = await room.JoinAsync(id);

        using var ok = await room.Http.PostJsonAsync("openvidu/api/signal", $$"""{"session":"{{id}}","type":"signal:note","data":"from server"}""");
        var received = await a.Rpc.WaitForNotificationAsync("sendMessage");
        using var badTo = await room.Http.PostJsonAsync("openvidu/api/signal", $$"""{"session":"{{id}}","to":["con_Nobody"]}""");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("", await ok.ReadTextAsync());
        Assert.Equal("""{"data":"from server","type":"signal:note"}""", received.ToJsonString());
        Assert.Equal(HttpStatusCode.NotAcceptable, badTo.StatusCode);
        Assert.Equal("\"to\" array has no valid connection identifiers", (string)(await badTo.ReadObjectAsync())["message"]!);
    }

    [Fact]
    public async Task StreamPropertyChanged_IsForwardedToOthersWithStringifiedValue()
    {
        var id = await room.Http.CreateSessionAsync();
        var watcher = await room.JoinAsync(id);
        var publisher = await room.JoinAsync(id);
        var streamId = await publisher.PublishAsync();

        var response = await publisher.Rpc.CallAsync("streamPropertyChanged", new JsonObject
        {
            ["streamId"] = streamId, ["property"] = "videoActive", ["newValue"] = false, ["reason"] = "publishVideo",
        });
        var changed = await watcher.Rpc.WaitForNotificationAsync("streamPropertyChanged");

        Assert.NotNull(response["result"]);
        Assert.Equal(
            $$"""{"connectionId":"{{publisher.ConnectionId}}","streamId":"{{streamId}}","property":"videoActive","newValue":"false","reason":"publishVideo"}""",
            changed.ToJsonString());
        Assert.False(room.Controls.Snapshot().FindConnection(publisher.ConnectionId)!.Streams.Single().VideoActive);
        Assert.Empty(publisher.Rpc.NotificationsOf("streamPropertyChanged"));
    }

    [Fact]
    public async Task ForceDisconnect_NeedsModerator_ThenLeftToOthersAndEvictedToEveryone()
    {
        var id = await room.Http.CreateSessionAsync();
        var moderator = await room.JoinAsync(id, "MODERATOR");
        var victim = await room.JoinAsync(id);
        var bystander = await room.JoinAsync(id);

        var denied = await bystander.Rpc.CallAsync("forceDisconnect", new JsonObject { ["connectionId"] = victim.ConnectionId });
        var ok = await moderator.Rpc.CallAsync("forceDisconnect", new JsonObject { ["connectionId"] = victim.ConnectionId });
        var left = await bystander.Rpc.WaitForNotificationAsync("participantLeft");
        var evictedVictim = await victim.Rpc.WaitForNotificationAsync("participantEvicted");
        var evictedModerator = await moderator.Rpc.WaitForNotificationAsync("participantEvicted");

        Assert.Equal(401, (int)denied["error"]!["code"]!);
        Assert.NotNull(ok["result"]);
        Assert.Equal($$"""{"connectionId":"{{victim.ConnectionId}}","reason":"forceDisconnectByUser"}""", left.ToJsonString());
        Assert.Equal("forceDisconnectByUser", (string)evictedVictim["reason"]!);
        Assert.Equal(victim.ConnectionId, (string)evictedModerator["connectionId"]!);
        Assert.Empty(victim.Rpc.NotificationsOf("participantLeft"));
        Assert.Equal(2, room.Controls.Sessions.Single().Connections.Count);
    }

    [Fact]
    public async Task RestDeleteConnection_OfActiveParticipant_EvictsWithForceDisconnectByServer()
    {
        var id = await room.Http.CreateSessionAsync();
        var victim = await room.JoinAsync(id);
        var other = await room.JoinAsync(id);

        using var response = await room.Http.DeleteAsync($"openvidu/api/sessions/{id}/connection/{victim.ConnectionId}", Ct);
        var evicted = await victim.Rpc.WaitForNotificationAsync("participantEvicted");
        var left = await other.Rpc.WaitForNotificationAsync("participantLeft");
        var evictedOther = await other.Rpc.WaitForNotificationAsync("participantEvicted");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("forceDisconnectByServer", (string)evicted["reason"]!);
        Assert.Equal("forceDisconnectByServer", (string)left["reason"]!);
        Assert.Equal(victim.ConnectionId, (string)evictedOther["connectionId"]!);
    }

    [Fact]
    public async Task DeleteSession_EvictsEveryoneWithSessionClosedByServer()
    {
        var id = await room.Http.CreateSessionAsync();
        var a = await room.JoinAsync(id);
        var b = await room.JoinAsync(id);

        using var response = await room.Http.DeleteAsync($"openvidu/api/sessions/{id}", Ct);
        var evictedA = await a.Rpc.WaitForNotificationAsync("participantEvicted", p => (string?)p["connectionId"] == a.ConnectionId);
        var evictedB = await b.Rpc.WaitForNotificationAsync("participantEvicted", p => (string?)p["connectionId"] == b.ConnectionId);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("sessionClosedByServer", (string)evictedA["reason"]!);
        Assert.Equal("sessionClosedByServer", (string)evictedB["reason"]!);
        Assert.Empty(room.Controls.Sessions);
    }

    [Fact]
    public async Task LeaveRoom_NotifiesOthers_AndTheLastLeaveClosesAndForgetsTheSession()
    {
        var id = await room.Http.CreateSessionAsync("short-lived");
        var a = await room.JoinAsync(id);
        var b = await room.JoinAsync(id);
        var (_, pendingToken) = await room.Http.CreateConnectionAsync(id);

        var leaveA = await a.Rpc.CallAsync("leaveRoom", []);
        var left = await b.Rpc.WaitForNotificationAsync("participantLeft");
        using var stillThere = await room.Http.GetAsync($"openvidu/api/sessions/{id}", Ct);
        await b.Rpc.CallAsync("leaveRoom", []);
        using var gone = await room.Http.GetAsync($"openvidu/api/sessions/{id}", Ct);
        using var connection = await room.Http.PostJsonAsync($"openvidu/api/sessions/{id}/connection", "{}");
        using var recreated = await room.Http.PostJsonAsync("openvidu/api/sessions", """{"customSessionId":"short-lived"}""");
        await using var late = await OpenViduRpcClient.OpenAsync(pendingToken, TestContext.Current.CancellationToken);
        var lateJoin = await late.CallAsync("joinRoom", JoinParams(pendingToken, id));

        Assert.NotNull(leaveA["result"]);
        Assert.Equal($$"""{"connectionId":"{{a.ConnectionId}}","reason":"disconnect"}""", left.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, connection.StatusCode);
        Assert.Equal(HttpStatusCode.OK, recreated.StatusCode);
        Assert.Equal(401, (int)lateJoin["error"]!["code"]!);
    }

    [Fact]
    public async Task DropSocket_EvictsWithNetworkDisconnect_AndReconnectIsRefusedWith40007()
    {
        var id = await room.Http.CreateSessionAsync();
        var dropped = await room.JoinAsync(id);
        var other = await room.JoinAsync(id);

        Assert.True(room.Controls.DropSocket(dropped.ConnectionId));
        var left = await other.Rpc.WaitForNotificationAsync("participantLeft");
        await dropped.Rpc.WaitForCloseAsync(OpenViduRpcClient.Timeout);
        await using var again = await OpenViduRpcClient.OpenAsync(dropped.Token, TestContext.Current.CancellationToken);
        var reconnect = await again.CallAsync("connect", new JsonObject { ["sessionId"] = (string)dropped.JoinResult["sessionId"]!, ["reconnect"] = true });

        Assert.Equal($$"""{"connectionId":"{{dropped.ConnectionId}}","reason":"networkDisconnect"}""", left.ToJsonString());
        Assert.Equal("""{"code":40007,"message":"reconnection error"}""", reconnect["error"]!.ToJsonString());
        Assert.Null(room.Controls.Snapshot().FindConnection(dropped.ConnectionId));
        Assert.Empty(other.Rpc.NotificationsOf("participantEvicted"));
    }

    [Fact]
    public async Task Connect_WhileTheParticipantIsStillKnown_Reattaches()
    {
        var id = await room.Http.CreateSessionAsync();
        var participant = await room.JoinAsync(id);
        await using var second = await OpenViduRpcClient.OpenAsync(participant.Token, TestContext.Current.CancellationToken);

        var reconnect = await second.CallAsync("connect", new JsonObject { ["sessionId"] = (string)participant.JoinResult["sessionId"]!, ["reconnect"] = true });
        var echo = await second.CallAsync("streamPropertyChanged", new JsonObject { ["streamId"] = "none", ["property"] = "audioActive", ["newValue"] = true });

        Assert.Equal("reconnection successful", (string)reconnect["result"]!["value"]!);
        Assert.NotNull(echo["result"]);
        Assert.True(room.Controls.Snapshot().FindConnection(participant.ConnectionId)!.SocketOpen);
    }

    [Fact]
    public async Task A_socket_silent_for_three_announced_ping_intervals_is_closed_and_its_participant_evicted()
    {
        var id = await room.Http.CreateSessionAsync();
        var silent = await room.JoinAsync(id);
        var other = await room.JoinAsync(id);

        // The first ping announces a 300 ms interval; no second ping follows.
        await silent.Rpc.CallAsync("ping", new JsonObject { ["interval"] = 300 });
        var left = await other.Rpc.WaitForNotificationAsync("participantLeft");
        await silent.Rpc.WaitForCloseAsync(OpenViduRpcClient.Timeout);

        Assert.Equal($$"""{"connectionId":"{{silent.ConnectionId}}","reason":"networkDisconnect"}""", left.ToJsonString());
        Assert.Null(room.Controls.Snapshot().FindConnection(silent.ConnectionId));
        // The other socket never pinged, so no watchdog watches it.
        Assert.True(room.Controls.Snapshot().FindConnection(other.ConnectionId)!.SocketOpen);
    }

    [Fact]
    public async Task With_a_reconnection_grace_a_dropped_participant_stays_and_reattaches_with_connect()
    {
        await using var room = await EmulatorRoom.StartAsync(new EmulatorOptions { ReconnectionGrace = TimeSpan.FromMinutes(1) });
        var id = await room.Http.CreateSessionAsync();
        var dropped = await room.JoinAsync(id);
        var other = await room.JoinAsync(id);

        Assert.True(room.Controls.DropSocket(dropped.ConnectionId));
        // The server has seen the socket end, and still keeps the participant, without a socket.
        var during = (await room.Controls.WaitForAsync(
            s => s.FindConnection(dropped.ConnectionId) is null or { SocketOpen: false }, OpenViduRpcClient.Timeout, TestContext.Current.CancellationToken))
            .FindConnection(dropped.ConnectionId);
        await using var again = await OpenViduRpcClient.OpenAsync(dropped.Token, TestContext.Current.CancellationToken);
        var reconnect = await again.CallAsync("connect", new JsonObject { ["sessionId"] = (string)dropped.JoinResult["sessionId"]!, ["reconnect"] = true });

        Assert.NotNull(during);
        Assert.Equal("reconnection successful", (string)reconnect["result"]!["value"]!);
        Assert.True(room.Controls.Snapshot().FindConnection(dropped.ConnectionId)!.SocketOpen);
        Assert.Empty(other.Rpc.NotificationsOf("participantLeft"));
    }

    [Fact]
    public async Task With_a_reconnection_grace_a_dropped_participant_that_never_comes_back_is_evicted_when_it_is_over()
    {
        await using var room = await EmulatorRoom.StartAsync(new EmulatorOptions { ReconnectionGrace = TimeSpan.FromMilliseconds(500) });
        var id = await room.Http.CreateSessionAsync();
        var dropped = await room.JoinAsync(id);
        var other = await room.JoinAsync(id);

        Assert.True(room.Controls.DropSocket(dropped.ConnectionId));
        var left = await other.Rpc.WaitForNotificationAsync("participantLeft");

        Assert.Equal($$"""{"connectionId":"{{dropped.ConnectionId}}","reason":"networkDisconnect"}""", left.ToJsonString());
        Assert.Null(room.Controls.Snapshot().FindConnection(dropped.ConnectionId));
    }

    private static JsonObject JoinParams(string token, string sessionId) => new()
    {
        ["token"] = token,
        ["session"] = sessionId,
        ["platform"] = "t",
        ["metadata"] = "",
        ["secret"] = "",
    };
}
