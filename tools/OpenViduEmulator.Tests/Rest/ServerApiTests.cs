using System.Diagnostics;
using System.Net;
using OpenViduEmulator.Tests.Infrastructure;

namespace OpenViduEmulator.Tests.Rest;

/// <summary>Auth, config, recordings and the test controls (contract §1.1, §1.5).</summary>
public sealed class ServerApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Api_WithoutOrWithWrongCredentials_Is401WithBasicChallenge()
    {
        await using var emulator = await OpenViduEmulatorServer.StartAsync(new EmulatorOptions { Secret = "S3CRET" }, Ct);
        using var anonymous = new HttpClient { BaseAddress = new Uri(emulator.BaseUrl) };
        using var wrong = EmulatorHttp.Client(emulator, "MY_SECRET");
        using var right = EmulatorHttp.Client(emulator);

        using var noAuth = await anonymous.GetAsync("/openvidu/api/sessions", Ct);
        using var badAuth = await wrong.GetAsync("/openvidu/api/sessions", Ct);
        using var ok = await right.GetAsync("/openvidu/api/sessions", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, noAuth.StatusCode);
        Assert.Equal("Basic", noAuth.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(401, (int)(await noAuth.ReadObjectAsync())["status"]!);
        Assert.Equal(HttpStatusCode.Unauthorized, badAuth.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task PublicUrl_IsUnauthenticatedForGetAndHead()
    {
        await using var emulator = await OpenViduEmulatorServer.StartAsync(new EmulatorOptions(), Ct);
        using var anonymous = new HttpClient { BaseAddress = new Uri(emulator.BaseUrl) };

        using var get = await anonymous.GetAsync("/openvidu/api/config/openvidu-publicurl", Ct);
        using var head = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/openvidu/api/config/openvidu-publicurl"), Ct);
        using var config = await anonymous.GetAsync("/openvidu/api/config", Ct);

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(emulator.BaseUrl, await get.ReadTextAsync());
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, config.StatusCode);
    }

    [Fact]
    public async Task Config_ReportsVersionPublicUrlAndWebhookSettings()
    {
        await using var emulator = await OpenViduEmulatorServer.StartAsync(new EmulatorOptions
        {
            WebhookEndpoint = new Uri("http://127.0.0.1:9/hook"),
            WebhookHeaders = ["X-Token: abc"],
            WebhookEvents = ["sessionCreated"],
        }, Ct);
        using var http = EmulatorHttp.Client(emulator);

        var config = await (await http.GetAsync("/openvidu/api/config", Ct)).ReadObjectAsync();
        var version = await (await http.GetAsync("/openvidu/api/config/openvidu-version", Ct)).ReadTextAsync();
        var recording = await (await http.GetAsync("/openvidu/api/config/openvidu-recording", Ct)).ReadTextAsync();
        var deprecated = await (await http.GetAsync("/config", Ct)).ReadObjectAsync();

        Assert.Equal("2.32.2", (string)config["VERSION"]!);
        Assert.Equal(emulator.BaseUrl, (string)config["OPENVIDU_PUBLICURL"]!);
        Assert.Equal(emulator.Port, (int)config["HTTPS_PORT"]!);
        Assert.False((bool)config["OPENVIDU_RECORDING"]!);
        Assert.True((bool)config["OPENVIDU_WEBHOOK"]!);
        Assert.Equal("""["X-Token: abc"]""", config["OPENVIDU_WEBHOOK_HEADERS"]!.ToJsonString());
        Assert.Equal("""["sessionCreated"]""", config["OPENVIDU_WEBHOOK_EVENTS"]!.ToJsonString());
        Assert.Equal("2.32.2", version);
        Assert.Equal("false", recording);
        Assert.Equal("2.32.2", (string)deprecated["VERSION"]!);
    }

    [Theory]
    [InlineData("GET", "/openvidu/api/recordings")]
    [InlineData("GET", "/openvidu/api/recordings/ses_A")]
    [InlineData("POST", "/openvidu/api/recordings/start")]
    [InlineData("POST", "/openvidu/api/recordings/stop/ses_A")]
    [InlineData("DELETE", "/openvidu/api/recordings/ses_A")]
    public async Task Recordings_AreDisabled_501WithEmptyBody(string method, string path)
    {
        await using var emulator = await OpenViduEmulatorServer.StartAsync(new EmulatorOptions(), Ct);
        using var http = EmulatorHttp.Client(emulator);

        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Ct);

        Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
        Assert.Equal("", await response.ReadTextAsync());
    }

    [Fact]
    public async Task DeprecatedApiPath_IsServedLikeTheNewOne()
    {
        await using var emulator = await OpenViduEmulatorServer.StartAsync(new EmulatorOptions(), Ct);
        using var http = EmulatorHttp.Client(emulator);

        using var response = await http.PostJsonAsync("/api/sessions", """{"customSessionId":"old-path"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("old-path", emulator.Controls.Sessions.Single().Id);
    }

    [Fact]
    public async Task Latency_DelaysEveryRestRequest()
    {
        await using var emulator = await OpenViduEmulatorServer.StartAsync(new EmulatorOptions(), Ct);
        using var http = EmulatorHttp.Client(emulator);
        emulator.Controls.Latency = TimeSpan.FromMilliseconds(300);

        var watch = Stopwatch.StartNew();
        using var response = await http.GetAsync("/openvidu/api/sessions", Ct);
        watch.Stop();
        emulator.Controls.Latency = TimeSpan.Zero;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(290), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task FailNext_FailsExactlyThatManyRequests_WithAnErrorBody()
    {
        await using var emulator = await OpenViduEmulatorServer.StartAsync(new EmulatorOptions(), Ct);
        using var http = EmulatorHttp.Client(emulator);
        emulator.Controls.FailNext(2, 503);

        using var first = await http.PostAsync("/openvidu/api/sessions", null, Ct);
        using var second = await http.GetAsync("/openvidu/api/sessions", Ct);
        using var third = await http.GetAsync("/openvidu/api/sessions", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal(503, (int)(await first.ReadObjectAsync())["status"]!);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        Assert.Empty(emulator.Controls.Sessions);
    }

    [Fact]
    public async Task GoDown_RefusesConnections_GoUp_ServesAgainOnTheSamePortWithTheSameSessions()
    {
        await using var emulator = await OpenViduEmulatorServer.StartAsync(new EmulatorOptions(), Ct);
        var baseUrl = emulator.BaseUrl;
        using (var before = EmulatorHttp.Client(emulator))
        {
            await before.CreateSessionAsync("survivor");
        }

        await emulator.Controls.GoDownAsync(Ct);
        using (var down = EmulatorHttp.Client(emulator))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => down.GetAsync("/openvidu/api/sessions", Ct));
        }

        Assert.True(emulator.Controls.IsDown);
        await emulator.Controls.GoUpAsync(Ct);
        using var after = EmulatorHttp.Client(emulator);
        using var response = await after.GetAsync("/openvidu/api/sessions/survivor", Ct);

        Assert.Equal(baseUrl, emulator.BaseUrl);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Restart_ForgetsEverySession()
    {
        await using var emulator = await OpenViduEmulatorServer.StartAsync(new EmulatorOptions(), Ct);
        using var http = EmulatorHttp.Client(emulator);
        var id = await http.CreateSessionAsync("forgotten");
        var (_, token) = await http.CreateConnectionAsync(id);
        await using var client = await OpenViduRpcClient.JoinAsync(token, cancellationToken: Ct);

        emulator.Controls.Restart();
        await client.WaitForCloseAsync(OpenViduRpcClient.Timeout);
        using var response = await http.GetAsync("/openvidu/api/sessions/forgotten", Ct);

        Assert.Empty(emulator.Controls.Sessions);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.True(client.Closed);
    }
}
