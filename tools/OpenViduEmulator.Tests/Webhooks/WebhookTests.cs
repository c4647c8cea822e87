using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using OpenViduEmulator.Tests.Infrastructure;

namespace OpenViduEmulator.Tests.Webhooks;

/// <summary>Webhook delivery (contract §2) to a real loopback HTTP receiver.</summary>
public sealed class WebhookTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TypicalCall_PostsEventsInOrder_WithFieldsAndHeaders()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var room = await EmulatorRoom.StartAsync(new EmulatorOptions
        {
            WebhookEndpoint = receiver.Endpoint,
            WebhookHeaders = ["Authorization: Basic abc", "X-Webhook-Token: t0k"],
        });
        var id = await room.Http.CreateSessionAsync("hooked");
        var a = await room.JoinAsync(id, serverData: "srvA", clientData: "cliA");
        var streamId = await a.PublishAsync();
        var b = await room.JoinAsync(id, "SUBSCRIBER");
        await b.Rpc.CallAsync("receiveVideoFrom", new JsonObject { ["sender"] = streamId, ["sdpOffer"] = FakeSdp.Offer("recvonly") });
        await a.Rpc.CallAsync("sendMessage", new JsonObject { ["message"] = """{"to":[],"data":"d","type":"signal:chat"}""" });
        await b.Rpc.CallAsync("leaveRoom", []);
        await a.Rpc.CallAsync("leaveRoom", []);

        var snapshot = await room.Controls.WaitForAsync(s => s.WebhookDeliveries.Any(d => d.Event == "sessionDestroyed"), Wait, Ct);

        Assert.Equal(
            ["sessionCreated", "participantJoined", "webrtcConnectionCreated", "participantJoined", "webrtcConnectionCreated", "signalSent",
             "webrtcConnectionDestroyed", "participantLeft", "webrtcConnectionDestroyed", "participantLeft", "sessionDestroyed"],
            snapshot.WebhookDeliveries.Select(d => d.Event));
        Assert.All(snapshot.WebhookDeliveries, d => Assert.Equal(200, d.StatusCode));
        var received = receiver.Received;
        Assert.Equal(snapshot.WebhookDeliveries.Select(d => d.Event), received.Select(r => r.Event));
        Assert.All(received, r =>
        {
            Assert.Equal("Basic abc", r.Headers["Authorization"]);
            Assert.Equal("t0k", r.Headers["X-Webhook-Token"]);
            Assert.StartsWith("application/json", r.Headers["Content-Type"], StringComparison.Ordinal);
            Assert.Equal("hooked", (string)r.Body["sessionId"]!);
            Assert.StartsWith("hooked_", (string)r.Body["uniqueSessionId"]!, StringComparison.Ordinal);
            Assert.NotNull(r.Body["timestamp"]);
        });

        var joined = received[1].Body;
        Assert.Equal(a.ConnectionId, (string)joined["connectionId"]!);
        Assert.Equal(a.ConnectionId, (string)joined["participantId"]!);
        Assert.Equal("cliA", (string)joined["clientData"]!);
        Assert.Equal("srvA", (string)joined["serverData"]!);
        Assert.Equal(OpenViduRpcClient.Platform, (string)joined["platform"]!);
        Assert.Equal("OUTBOUND", (string)received[2].Body["connection"]!);
        Assert.Equal(streamId, (string)received[2].Body["streamId"]!);
        Assert.Equal("INBOUND", (string)received[4].Body["connection"]!);
        Assert.Equal(a.ConnectionId, (string)received[4].Body["receivingFrom"]!);
        var signal = received[5].Body;
        Assert.Equal(a.ConnectionId, (string)signal["from"]!);
        Assert.Equal(2, signal["to"]!.AsArray().Count);
        Assert.Equal("signal:chat", (string)signal["type"]!);
        var leftB = received[7].Body;
        Assert.Equal("disconnect", (string)leftB["reason"]!);
        Assert.NotNull(leftB["startTime"]);
        Assert.NotNull(leftB["duration"]);
        Assert.Equal("lastParticipantLeft", (string)received[10].Body["reason"]!);
    }

    [Fact]
    public async Task DeleteSession_SendsParticipantLeftAndSessionDestroyed_WithSessionClosedByServer()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var room = await EmulatorRoom.StartAsync(new EmulatorOptions { WebhookEndpoint = receiver.Endpoint });
        var id = await room.Http.CreateSessionAsync();
        await room.JoinAsync(id);

        using var _ = await room.Http.DeleteAsync($"openvidu/api/sessions/{id}", Ct);
        var snapshot = await room.Controls.WaitForAsync(s => s.WebhookDeliveries.Any(d => d.Event == "sessionDestroyed"), Wait, Ct);

        var bodies = snapshot.WebhookDeliveries.Select(d => JsonNode.Parse(d.Body)!).ToList();
        Assert.Equal("sessionClosedByServer", (string)bodies.Single(b => (string)b["event"]! == "participantLeft")["reason"]!);
        Assert.Equal("sessionClosedByServer", (string)bodies.Single(b => (string)b["event"]! == "sessionDestroyed")["reason"]!);
    }

    [Fact]
    public async Task NetworkDisconnect_IsNormalisedToLastParticipantLeft()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var room = await EmulatorRoom.StartAsync(new EmulatorOptions { WebhookEndpoint = receiver.Endpoint });
        var id = await room.Http.CreateSessionAsync();
        var p = await room.JoinAsync(id);

        room.Controls.DropSocket(p.ConnectionId);
        var snapshot = await room.Controls.WaitForAsync(s => s.WebhookDeliveries.Any(d => d.Event == "sessionDestroyed"), Wait, Ct);

        var bodies = snapshot.WebhookDeliveries.Select(d => JsonNode.Parse(d.Body)!).ToList();
        Assert.Equal("networkDisconnect", (string)bodies.Single(b => (string)b["event"]! == "participantLeft")["reason"]!);
        Assert.Equal("lastParticipantLeft", (string)bodies.Single(b => (string)b["event"]! == "sessionDestroyed")["reason"]!);
    }

    [Fact]
    public async Task OnlyConfiguredEvents_AreSent()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var room = await EmulatorRoom.StartAsync(new EmulatorOptions { WebhookEndpoint = receiver.Endpoint, WebhookEvents = ["participantJoined"] });
        var id = await room.Http.CreateSessionAsync();
        await room.JoinAsync(id);

        var snapshot = await room.Controls.WaitForAsync(s => s.WebhookDeliveries.Count > 0, Wait, Ct);

        Assert.Equal("participantJoined", Assert.Single(snapshot.WebhookDeliveries).Event);
        Assert.Equal("participantJoined", Assert.Single(receiver.Received).Event);
    }

    [Fact]
    public async Task Non200Answer_IsRecordedAndDropped_WithoutRetry()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.StatusCode = 500;
        await using var room = await EmulatorRoom.StartAsync(new EmulatorOptions { WebhookEndpoint = receiver.Endpoint });

        await room.Http.CreateSessionAsync("first");
        await room.Controls.WaitForAsync(s => s.WebhookDeliveries.Count == 1, Wait, Ct);
        receiver.StatusCode = 200;
        await room.Http.CreateSessionAsync("second");
        var snapshot = await room.Controls.WaitForAsync(s => s.WebhookDeliveries.Count == 2, Wait, Ct);

        Assert.Equal(500, snapshot.WebhookDeliveries[0].StatusCode);
        Assert.Equal(1, snapshot.WebhookDeliveries[0].Attempts);
        Assert.False(snapshot.WebhookDeliveries[0].Succeeded);
        Assert.Equal(200, snapshot.WebhookDeliveries[1].StatusCode);
        Assert.Equal(2, receiver.Received.Count);
    }

    [Fact]
    public async Task IoFailure_IsRetriedUpToFiveAttempts()
    {
        // A port held (bound, never listening) for the whole test: every connection is refused, and no other server
        // running meanwhile can take it (a port freed by a stopped server could be, and would answer).
        using var held = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        held.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var closedPort = ((IPEndPoint)held.LocalEndPoint!).Port;

        await using var room = await EmulatorRoom.StartAsync(new EmulatorOptions { WebhookEndpoint = new Uri($"http://127.0.0.1:{closedPort}/webhook") });
        await room.Http.CreateSessionAsync();

        var snapshot = await room.Controls.WaitForAsync(s => s.WebhookDeliveries.Count == 1, TimeSpan.FromSeconds(30), Ct);

        var delivery = snapshot.WebhookDeliveries.Single();
        Assert.Null(delivery.StatusCode);
        Assert.Equal(5, delivery.Attempts);
        Assert.NotNull(delivery.Error);
    }

    [Fact]
    public void Configuration_ReadsOpenViduVariables()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OPENVIDU_SECRET"] = "abc",
            ["OPENVIDU_WEBHOOK"] = "true",
            ["OPENVIDU_WEBHOOK_ENDPOINT"] = "http://127.0.0.1:7777/hook",
            ["OPENVIDU_WEBHOOK_HEADERS"] = """["X-A: 1"]""",
            ["OPENVIDU_WEBHOOK_EVENTS"] = """["sessionCreated"]""",
            ["urls"] = "http://127.0.0.1:4443",
        }).Build();

        var options = EmulatorConfiguration.FromConfiguration(configuration);

        Assert.Equal("abc", options.Secret);
        Assert.Equal(new Uri("http://127.0.0.1:7777/hook"), options.WebhookEndpoint);
        Assert.Equal(["X-A: 1"], options.WebhookHeaders);
        Assert.Equal(["sessionCreated"], options.WebhookEvents!);
        Assert.Equal(4443, options.ListenUrl!.Port);
    }
}
