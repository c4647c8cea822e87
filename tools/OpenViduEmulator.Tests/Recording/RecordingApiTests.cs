using System.Net;
using System.Net.Http.Headers;
using OpenViduEmulator.Tests.Infrastructure;

namespace OpenViduEmulator.Tests.Recording;

/// <summary>The recording endpoints, webhook and notifications (contract §1.5, §2, §3.4) with the fake media plane.</summary>
public sealed class RecordingApiTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("POST", "openvidu/api/recordings/start")]
    [InlineData("POST", "openvidu/api/recordings/stop/ses_A")]
    [InlineData("GET", "openvidu/api/recordings")]
    [InlineData("GET", "openvidu/api/recordings/ses_A")]
    [InlineData("DELETE", "openvidu/api/recordings/ses_A")]
    public async Task RecordingDisabled_ByDefault_EveryEndpointIs501WithNoBody(string method, string path)
    {
        await using var room = await EmulatorRoom.StartAsync();

        using var response = await room.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Ct);

        Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
        Assert.Equal("", await response.ReadTextAsync());
        using var config = await room.Http.GetAsync("openvidu/api/config/openvidu-recording", Ct);
        Assert.Equal("false", await config.ReadTextAsync());
    }

    [Fact]
    public async Task StartThenStop_GoesStartedStoppedReady_WithWebhooksNotificationsAndAServedFile()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var room = await EmulatorRoom.StartAsync(new EmulatorOptions { Recording = true, WebhookEndpoint = receiver.Endpoint });
        var id = await room.Http.CreateSessionAsync("rec-1");
        var moderator = await room.JoinAsync(id, "MODERATOR");
        await moderator.PublishAsync();
        var subscriber = await room.JoinAsync(id, "SUBSCRIBER");

        using var start = await room.Http.PostJsonAsync("openvidu/api/recordings/start", """{"session":"rec-1","name":"lesson_1","hasAudio":true}""");

        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        var started = await start.ReadObjectAsync();
        Assert.Equal(
            ["id", "object", "name", "outputMode", "resolution", "frameRate", "recordingLayout", "sessionId", "createdAt", "size", "duration", "url", "hasAudio", "hasVideo", "status"],
            started.Keys());
        Assert.Equal("rec-1", (string)started["id"]!);
        Assert.Equal("lesson_1", (string)started["name"]!);
        Assert.Equal("started", (string)started["status"]!);
        Assert.Null(started["url"]);
        var notified = await moderator.Rpc.WaitForNotificationAsync("recordingStarted");
        Assert.Equal("""{"id":"rec-1","name":"lesson_1"}""", notified.ToJsonString());
        using (var session = await room.Http.GetAsync("openvidu/api/sessions/rec-1", Ct))
        {
            Assert.True((bool)(await session.ReadObjectAsync())["recording"]!);
        }

        using var stop = await room.Http.PostAsync("openvidu/api/recordings/stop/rec-1", null, Ct);

        Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        var stopped = await stop.ReadObjectAsync();
        Assert.Equal("stopped", (string)stopped["status"]!);
        Assert.True((double)stopped["duration"]! >= 0);
        var stopNotice = await moderator.Rpc.WaitForNotificationAsync("recordingStopped");
        Assert.Equal("recordingStoppedByServer", (string)stopNotice["reason"]!);
        Assert.Empty(subscriber.Rpc.NotificationsOf("recordingStarted")); // SUBSCRIBERs are not told (publisher_moderator)

        await room.Controls.WaitForAsync(s => s.WebhookDeliveries.Count(d => d.Event == "recordingStatusChanged") == 3, Wait, Ct);
        var statuses = receiver.Received.Where(r => r.Event == "recordingStatusChanged").ToList();
        Assert.Equal(["started", "stopped", "ready"], statuses.Select(r => (string)r.Body["status"]!));
        Assert.Equal("recordingStoppedByServer", (string)statuses[2].Body["reason"]!);
        Assert.Equal("rec-1", (string)statuses[2].Body["id"]!);
        Assert.True((long)statuses[2].Body["size"]! > 0);

        using var get = await room.Http.GetAsync("openvidu/api/recordings/rec-1", Ct);
        var ready = await get.ReadObjectAsync();
        Assert.Equal("ready", (string)ready["status"]!);
        var url = new Uri((string)ready["url"]!);
        Assert.Equal("/openvidu/recordings/rec-1/lesson_1.webm", url.AbsolutePath);

        using var file = await room.Http.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        var bytes = await file.Content.ReadAsByteArrayAsync(Ct);
        Assert.Equal((long)ready["size"]!, bytes.Length);
        Assert.Equal([0x1A, 0x45, 0xDF, 0xA3], bytes[..4]); // EBML magic: a WebM document

        using var ranged = new HttpRequestMessage(HttpMethod.Get, url);
        ranged.Headers.Range = new RangeHeaderValue(0, 3);
        using var part = await room.Http.SendAsync(ranged, Ct);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(4, (await part.Content.ReadAsByteArrayAsync(Ct)).Length);

        using var anonymous = new HttpClient();
        using var refused = await anonymous.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Start_Refusals_FollowTheContract()
    {
        await using var room = await EmulatorRoom.StartAsync(new EmulatorOptions { Recording = true });
        await room.Http.CreateSessionAsync("empty");
        await room.Http.CreateSessionAsync("busy");
        await room.JoinAsync("busy", "MODERATOR");

        async Task<HttpStatusCode> StartAsync(string body)
        {
            using var response = await room.Http.PostJsonAsync("openvidu/api/recordings/start", body);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.BadRequest, await StartAsync("[1]"));
        Assert.Equal(HttpStatusCode.BadRequest, await StartAsync("""{"name":"x"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, await StartAsync("""{"session":"busy","hasAudio":"yes"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, await StartAsync("""{"session":"busy","name":"has space"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, await StartAsync("""{"session":"busy","outputMode":"MIXED"}"""));
        Assert.Equal(HttpStatusCode.NotFound, await StartAsync("""{"session":"nobody-here"}"""));
        Assert.Equal(HttpStatusCode.NotAcceptable, await StartAsync("""{"session":"empty"}"""));
        Assert.Equal((HttpStatusCode)422, await StartAsync("""{"session":"busy","hasAudio":false,"hasVideo":false}"""));
        Assert.Equal((HttpStatusCode)422, await StartAsync("""{"session":"busy","resolution":"99x720"}"""));
        Assert.Equal((HttpStatusCode)422, await StartAsync("""{"session":"busy","frameRate":121}"""));
        Assert.Equal((HttpStatusCode)422, await StartAsync("""{"session":"busy","shmSize":1024}"""));
        Assert.Equal(HttpStatusCode.OK, await StartAsync("""{"session":"busy"}"""));
        Assert.Equal(HttpStatusCode.Conflict, await StartAsync("""{"session":"busy"}"""));
    }

    [Fact]
    public async Task StopGetDelete_Refusals_AndASecondRecordingGetsTheTildeId()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var room = await EmulatorRoom.StartAsync(new EmulatorOptions { Recording = true, WebhookEndpoint = receiver.Endpoint });
        await room.Http.CreateSessionAsync("twice");
        await room.JoinAsync("twice", "MODERATOR");
        using (var first = await room.Http.PostJsonAsync("openvidu/api/recordings/start", """{"session":"twice"}"""))
        {
            Assert.Equal("twice", (string)(await first.ReadObjectAsync())["name"]!); // an empty name becomes the id
        }

        using (var deleteRunning = await room.Http.DeleteAsync("openvidu/api/recordings/twice", Ct))
        {
            Assert.Equal(HttpStatusCode.Conflict, deleteRunning.StatusCode);
        }

        using (var stop = await room.Http.PostAsync("openvidu/api/recordings/stop/twice", null, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        }

        using (var stopAgain = await room.Http.PostAsync("openvidu/api/recordings/stop/twice", null, Ct))
        {
            Assert.Equal(HttpStatusCode.Conflict, stopAgain.StatusCode);
        }

        using (var unknown = await room.Http.PostAsync("openvidu/api/recordings/stop/nope", null, Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using (var second = await room.Http.PostJsonAsync("openvidu/api/recordings/start", """{"session":"twice"}"""))
        {
            Assert.Equal("twice~1", (string)(await second.ReadObjectAsync())["id"]!);
        }

        using var list = await room.Http.GetAsync("openvidu/api/recordings", Ct);
        var page = await list.ReadObjectAsync();
        Assert.Equal(2, (int)page["count"]!);
        Assert.Equal(["twice", "twice~1"], page["items"]!.AsArray().Select(r => (string)r!["id"]!));

        await room.Controls.WaitForAsync(s => s.WebhookDeliveries.Any(d => d.Event == "recordingStatusChanged" && d.Body.Contains("\"status\":\"ready\"", StringComparison.Ordinal)), Wait, Ct);
        using (var delete = await room.Http.DeleteAsync("openvidu/api/recordings/twice", Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using var gone = await room.Http.GetAsync("openvidu/api/recordings/twice", Ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task LateJoiner_LearnsOfTheRecordingInJoinRoom_AndTheLastLeaveStopsIt()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var room = await EmulatorRoom.StartAsync(new EmulatorOptions { Recording = true, WebhookEndpoint = receiver.Endpoint });
        await room.Http.CreateSessionAsync("late");
        var first = await room.JoinAsync("late", "MODERATOR");
        using (var start = await room.Http.PostJsonAsync("openvidu/api/recordings/start", """{"session":"late","name":"late_rec"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        }

        var late = await room.JoinAsync("late", "PUBLISHER");

        Assert.Equal("late", (string)late.JoinResult["recordingId"]!);
        Assert.Equal("late_rec", (string)late.JoinResult["recordingName"]!);

        await late.Rpc.LeaveAsync();
        await first.Rpc.LeaveAsync();
        var snapshot = await room.Controls.WaitForAsync(s => s.WebhookDeliveries.Any(d => d.Event == "sessionDestroyed")
            && s.WebhookDeliveries.Count(d => d.Event == "recordingStatusChanged") == 3, Wait, Ct);
        var events = snapshot.WebhookDeliveries.Select(d => d.Event).ToList();
        Assert.True(events.IndexOf("recordingStatusChanged", events.IndexOf("recordingStatusChanged") + 1) < events.IndexOf("sessionDestroyed"),
            "the recording stops before the session is destroyed");
        var stopped = receiver.Received.Where(r => r.Event == "recordingStatusChanged").Select(r => r.Body).ToList();
        Assert.Equal("automaticStop", (string)stopped[1]["reason"]!);
    }
}
