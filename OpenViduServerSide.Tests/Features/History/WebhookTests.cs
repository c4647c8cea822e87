using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Features.History;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.History;

/// <summary>POST /openvidu/webhook with OpenVidu's own bodies (contract §2): authentication, bad input, and the state it builds.</summary>
public sealed class WebhookTests : IAsyncLifetime
{
    private const string Header = "X-OpenVidu-Webhook";
    private const string Secret = "hook-secret";
    private readonly AppFactory app = new(settings: new Dictionary<string, string?>
    {
        ["OpenVidu:Webhook:HeaderName"] = Header,
        ["OpenVidu:Webhook:HeaderValue"] = Secret,
    });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CallDirectory Directory => app.Services.GetRequiredService<CallDirectory>();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private async Task<HttpResponseMessage> PostAsync(string body, string? header = Secret)
    {
        var client = app.CreateBrowserLikeClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/openvidu/webhook") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (header is not null)
        {
            request.Headers.Add(Header, header);
        }

        return await client.SendAsync(request, Ct);
    }

    private static string Joined(string session, string connection, string user, string nickname, long ts, string role = "PUBLISHER", string kind = "camera", long createdAt = 1_700_000_000_000) =>
        $$"""{"sessionId":"{{session}}","uniqueSessionId":"{{session}}_{{createdAt}}","timestamp":{{ts}},"participantId":"{{connection}}","connectionId":"{{connection}}","location":"unknown","ip":"127.0.0.1","platform":"Chrome 156 on Linux","clientData":"{\"clientData\":\"{{nickname}}\"}","serverData":"{\"serverData\":\"{{user}}\",\"kind\":\"{{kind}}\",\"role\":\"{{role}}\"}","event":"participantJoined"}""";

    private static string Left(string session, string connection, string reason, long ts) =>
        $$"""{"sessionId":"{{session}}","uniqueSessionId":"{{session}}_1700000000000","timestamp":{{ts}},"participantId":"{{connection}}","connectionId":"{{connection}}","startTime":1700000000100,"duration":5,"reason":"{{reason}}","event":"participantLeft"}""";

    private static string Outbound(string eventName, string session, string connection, long ts) =>
        $$"""{"sessionId":"{{session}}","uniqueSessionId":"{{session}}_1700000000000","timestamp":{{ts}},"streamId":"str_CAM_Abcd_{{connection}}","participantId":"{{connection}}","connectionId":"{{connection}}","connection":"OUTBOUND","videoSource":"CAMERA","videoFramerate":30,"videoDimensions":"{\"width\":640,\"height\":480}","audioEnabled":true,"videoEnabled":true,"event":"{{eventName}}"}""";

    [Fact]
    public async Task A_call_told_in_OpenVidu_order_builds_the_directory_and_the_history()
    {
        const long t0 = 1_700_000_000_000;
        string[] sequence =
        [
            $$"""{"sessionId":"Hooked","uniqueSessionId":"Hooked_{{t0}}","timestamp":{{t0}},"event":"sessionCreated"}""",
            Joined("Hooked", "con_AAAAAAAAAA", "publisher1", "Alice", t0 + 100),
            Outbound("webrtcConnectionCreated", "Hooked", "con_AAAAAAAAAA", t0 + 200),
            Joined("Hooked", "con_BBBBBBBBBB", "subscriber", "Bob", t0 + 300, role: "SUBSCRIBER"),
            $$"""{"sessionId":"Hooked","timestamp":{{t0 + 400}},"streamId":"str_CAM_Abcd_con_AAAAAAAAAA","participantId":"con_BBBBBBBBBB","connectionId":"con_BBBBBBBBBB","connection":"INBOUND","receivingFrom":"con_AAAAAAAAAA","audioEnabled":true,"videoEnabled":true,"event":"webrtcConnectionCreated"}""",
        ];
        foreach (var body in sequence)
        {
            using var response = await PostAsync(body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var during = Directory.GetParticipants("Hooked");
        foreach (var body in new[]
        {
            Left("Hooked", "con_BBBBBBBBBB", "disconnect", t0 + 5_000),
            Outbound("webrtcConnectionDestroyed", "Hooked", "con_AAAAAAAAAA", t0 + 6_000),
            Left("Hooked", "con_AAAAAAAAAA", "networkDisconnect", t0 + 6_000),
            $$"""{"sessionId":"Hooked","timestamp":{{t0 + 6_001}},"startTime":{{t0}},"duration":6,"reason":"lastParticipantLeft","event":"sessionDestroyed"}""",
        })
        {
            using var response = await PostAsync(body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(["publisher1", "subscriber"], during.Select(p => p.UserName));
        Assert.Equal(["PUBLISHER", "SUBSCRIBER"], during.Select(p => p.Role));
        Assert.True(during[0].IsActive);
        Assert.Equal("str_CAM_Abcd_con_AAAAAAAAAA", during[0].StreamId);
        Assert.True(during[0].CameraOn && during[0].MicrophoneOn);
        Assert.Null(during[1].StreamId);
        Assert.Empty(Directory.GetParticipants("Hooked"));

        await app.Services.GetRequiredService<CallHistoryWriter>().FlushAsync();
        var call = Assert.Single(await app.Services.GetRequiredService<CallHistoryQueries>().AllCallsAsync(cancellationToken: Ct));
        Assert.Equal("Hooked", call.SessionName);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(t0 + 100).UtcDateTime, call.StartedAt);
        Assert.Equal("lastParticipantLeft", call.EndReason);
        Assert.Equal(
            [("publisher1", "Alice", "networkDisconnect"), ("subscriber", "Bob", "disconnect")],
            call.Participants.Select(p => (p.UserName, p.Nickname, p.LeftReason)));
        var mine = Assert.Single(await app.Services.GetRequiredService<CallHistoryQueries>().RecentCallsOfAsync("subscriber", cancellationToken: Ct));
        Assert.Equal(("Hooked", "SUBSCRIBER", "disconnect", true), (mine.SessionName, mine.Role, mine.LeftReason, mine.CallEnded));
        Assert.Empty(await app.Services.GetRequiredService<CallHistoryQueries>().RecentCallsOfAsync("publisher2", cancellationToken: Ct));
    }

    [Fact]
    public async Task Events_of_an_earlier_lifetime_of_the_name_change_nothing_in_the_live_call()
    {
        const long first = 1_700_000_000_000, second = first + 60_000;
        using (await PostAsync(Joined("Again", "con_NEWNEWNEW1", "publisher1", "Alice", second + 10, createdAt: second)))
        {
        }

        // Late news of the earlier call under the same name: a join and its end.
        foreach (var body in new[]
        {
            Joined("Again", "con_OLDOLDOLD1", "publisher2", "Bob", first + 10, createdAt: first),
            $$"""{"sessionId":"Again","uniqueSessionId":"Again_{{first}}","timestamp":{{second + 20}},"startTime":{{first}},"duration":60,"reason":"lastParticipantLeft","event":"sessionDestroyed"}""",
        })
        {
            using var response = await PostAsync(body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(["con_NEWNEWNEW1"], Directory.GetParticipants("Again").Select(p => p.ConnectionId));

        // The live call's own end does end it.
        using (await PostAsync($$"""{"sessionId":"Again","uniqueSessionId":"Again_{{second}}","timestamp":{{second + 30}},"startTime":{{second}},"duration":1,"reason":"sessionClosedByServer","event":"sessionDestroyed"}"""))
        {
        }

        Assert.Empty(Directory.GetParticipants("Again"));
    }

    [Fact]
    public async Task A_webhook_nickname_is_the_one_the_server_minted_not_the_one_the_browser_sent()
    {
        using (var response = await PostAsync($$"""{"sessionId":"Nick","uniqueSessionId":"Nick_1700000000000","timestamp":1700000000100,"participantId":"con_NICKNICK01","connectionId":"con_NICKNICK01","clientData":"{\"clientData\":\"admin (moderator)\"}","serverData":"{\"serverData\":\"publisher1\",\"kind\":\"camera\",\"role\":\"PUBLISHER\",\"nickname\":\"Alice\"}","event":"participantJoined"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal("Alice", Assert.Single(Directory.GetParticipants("Nick")).Nickname);
    }

    [Fact]
    public async Task The_same_join_from_the_app_and_from_the_webhook_counts_once()
    {
        const long t0 = 1_700_000_000_000;
        using (await PostAsync(Joined("Twice", "con_CCCCCCCCCC", "publisher2", "Carol", t0)))
        {
        }

        Directory.MarkJoined("Twice", "con_CCCCCCCCCC");
        using (await PostAsync(Joined("Twice", "con_CCCCCCCCCC", "publisher2", "Carol", t0)))
        {
        }

        using (await PostAsync(Left("Twice", "con_CCCCCCCCCC", "disconnect", t0 + 1_000)))
        {
        }

        await app.Services.GetRequiredService<CallHistoryWriter>().FlushAsync();
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync(Ct);
        var row = Assert.Single(await db.Participations.Where(p => p.ConnectionId == "con_CCCCCCCCCC").ToListAsync(Ct));
        Assert.Equal("disconnect", row.LeftReason);
    }

    [Fact]
    public async Task A_late_join_webhook_for_a_connection_that_already_left_does_not_bring_it_back()
    {
        using (await PostAsync(Left("Late", "con_GGGGGGGGGG", "disconnect", 2_000)))
        {
        }

        using var late = await PostAsync(Joined("Late", "con_GGGGGGGGGG", "publisher1", "Ghost", 1_000));

        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        Assert.Empty(Directory.GetParticipants("Late"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong")]
    [InlineData("")]
    public async Task Without_the_right_header_it_is_401_and_nothing_changes(string? header)
    {
        using var response = await PostAsync(Joined("Intruded", "con_DDDDDDDDDD", "publisher1", "Mallory", 1), header);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(Directory.GetParticipants("Intruded"));
    }

    [Fact]
    public async Task An_app_without_a_configured_header_refuses_every_webhook()
    {
        await using var unconfigured = new AppFactory();
        var client = unconfigured.CreateBrowserLikeClient();
        using var content = new StringContent(Joined("Open", "con_EEEEEEEEEE", "publisher1", "Eve", 1), Encoding.UTF8, "application/json");

        using var response = await client.PostAsync("/openvidu/webhook", content, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("{not json", "not JSON")]
    [InlineData("[1,2,3]", "not an OpenVidu event")]
    [InlineData("{\"sessionId\":\"X\"}", "not an OpenVidu event")]
    [InlineData("{\"event\":\"participantJoined\",\"sessionId\":\"X\"}", "lacks a field")]
    [InlineData("{\"event\":\"participantLeft\",\"connectionId\":\"con_X\"}", "lacks a field")]
    public async Task Malformed_bodies_are_400_with_a_reason(string body, string expected)
    {
        using var response = await PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Empty(Directory.SessionNamesInUse);
    }

    [Fact]
    public async Task Unknown_and_unused_events_are_accepted_and_ignored()
    {
        using var unknown = await PostAsync("{\"event\":\"somethingNew\",\"sessionId\":\"X\",\"timestamp\":1}");
        using var signal = await PostAsync("{\"event\":\"signalSent\",\"sessionId\":\"X\",\"timestamp\":1,\"from\":null,\"to\":[],\"type\":\"signal:chat\",\"data\":\"hi\"}");

        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, signal.StatusCode);
        Assert.Empty(Directory.SessionNamesInUse);
    }
}
