using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenViduEmulator.Tests.Infrastructure;

namespace OpenViduEmulator.Tests.Rest;

/// <summary>Contract §1.3, §1.5, §1.6 over real HTTP.</summary>
public sealed partial class SessionApiTests : IAsyncLifetime
{
    private OpenViduEmulatorServer emulator = null!;
    private HttpClient http = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        emulator = await OpenViduEmulatorServer.StartAsync(new EmulatorOptions(), Ct);
        http = EmulatorHttp.Client(emulator);
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await emulator.DisposeAsync();
    }

    [GeneratedRegex("^ses_[A-Z][A-Za-z0-9]{9}$")]
    private static partial Regex SessionIdFormat();

    [GeneratedRegex("^con_[A-Z][A-Za-z0-9]{9}$")]
    private static partial Regex ConnectionIdFormat();

    [Fact]
    public async Task CreateSession_EmptyBody_ReturnsTheContractShape()
    {
        using var response = await http.PostAsync("openvidu/api/sessions", null, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = await response.ReadObjectAsync();
        Assert.Equal(
            ["id", "object", "sessionId", "createdAt", "recording", "broadcasting", "mediaMode", "recordingMode",
             "defaultRecordingProperties", "customSessionId", "forcedVideoCodec", "allowTranscoding", "connections"],
            json.Keys());
        Assert.Matches(SessionIdFormat(), (string)json["id"]!);
        Assert.Equal((string)json["id"]!, (string)json["sessionId"]!);
        Assert.Equal("session", (string)json["object"]!);
        Assert.Equal("", (string)json["customSessionId"]!);
        Assert.Equal("ROUTED", (string)json["mediaMode"]!);
        Assert.Equal("MANUAL", (string)json["recordingMode"]!);
        Assert.Equal("MEDIA_SERVER_PREFERRED", (string)json["forcedVideoCodec"]!);
        Assert.False((bool)json["allowTranscoding"]!);
        Assert.Equal(
            """{"name":"","hasAudio":true,"hasVideo":true,"outputMode":"COMPOSED","recordingLayout":"BEST_FIT","resolution":"1280x720","frameRate":25,"shmSize":536870912}""",
            json["defaultRecordingProperties"]!.ToJsonString());
        Assert.Equal("""{"numberOfElements":0,"content":[]}""", json["connections"]!.ToJsonString());
        Assert.InRange((long)json["createdAt"]!, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task CreateSession_SameCustomIdTwice_SecondIs409WithEmptyBody()
    {
        await http.CreateSessionAsync("room-1");

        using var again = await http.PostJsonAsync("openvidu/api/sessions", """{"customSessionId":"room-1"}""");

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("", await again.ReadTextAsync());
        Assert.Single(emulator.Controls.Sessions);
    }

    [Theory]
    [InlineData("""{"customSessionId":"bad.id"}""", "Parameter 'customSessionId' is wrong. Must be an alphanumeric string [a-zA-Z0-9_-]")]
    [InlineData("""{"customSessionId":"has space"}""", null)]
    [InlineData("""{"customSessionId":"trailing\n"}""", null)]
    [InlineData("""{"mediaMode":"MESH"}""", null)]
    [InlineData("""{"recordingMode":"SOMETIMES"}""", null)]
    [InlineData("""{"forcedVideoCodec":"AV1"}""", null)]
    [InlineData("""{"allowTranscoding":"yes"}""", null)]
    [InlineData("""{"customSessionId":5}""", null)]
    [InlineData("""{"defaultRecordingProperties":{"outputMode":"NOPE"}}""", null)]
    [InlineData("""not json""", null)]
    public async Task CreateSession_InvalidBody_Is400WithErrorBody(string body, string? message)
    {
        using var response = await http.PostJsonAsync("openvidu/api/sessions", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var json = await response.ReadObjectAsync();
        Assert.Equal(["timestamp", "status", "error", "message", "path"], json.Keys());
        Assert.Equal(400, (int)json["status"]!);
        Assert.Equal("Bad Request", (string)json["error"]!);
        Assert.Equal("/openvidu/api/sessions", (string)json["path"]!);
        if (message is not null)
        {
            Assert.Equal(message, (string)json["message"]!);
        }

        Assert.Empty(emulator.Controls.Sessions);
    }

    [Fact]
    public async Task CreateSession_KeepsGivenProperties()
    {
        using var response = await http.PostJsonAsync("openvidu/api/sessions",
            """{"customSessionId":"Props_1","mediaMode":"RELAYED","recordingMode":"ALWAYS","forcedVideoCodec":"VP8","allowTranscoding":true,"defaultRecordingProperties":{"name":"n","frameRate":30},"unknown":1}""");

        var json = await response.ReadObjectAsync();
        Assert.Equal("Props_1", (string)json["id"]!);
        Assert.Equal("Props_1", (string)json["customSessionId"]!);
        Assert.Equal("RELAYED", (string)json["mediaMode"]!);
        Assert.Equal("ALWAYS", (string)json["recordingMode"]!);
        Assert.Equal("VP8", (string)json["forcedVideoCodec"]!);
        Assert.True((bool)json["allowTranscoding"]!);
        Assert.Equal("n", (string)json["defaultRecordingProperties"]!["name"]!);
        Assert.Equal(30, (int)json["defaultRecordingProperties"]!["frameRate"]!);
    }

    [Fact]
    public async Task TwentyConcurrentCreates_WithTheSameId_GiveOne200AndNineteen409()
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = Enumerable.Range(0, 20).Select(async _ =>
        {
            await start.Task;
            using var response = await http.PostJsonAsync("openvidu/api/sessions", """{"customSessionId":"race"}""");
            return response.StatusCode;
        }).ToList();
        start.SetResult();

        var codes = await Task.WhenAll(requests);

        Assert.Equal(1, codes.Count(c => c == HttpStatusCode.OK));
        Assert.Equal(19, codes.Count(c => c == HttpStatusCode.Conflict));
        Assert.Single(emulator.Controls.Sessions);
    }

    [Fact]
    public async Task GetSessions_ListsNotActiveSessions_AndHidesPendingConnectionsByDefault()
    {
        var id = await http.CreateSessionAsync("listed");
        await http.CreateConnectionAsync(id);

        var list = await (await http.GetAsync("openvidu/api/sessions", Ct)).ReadObjectAsync();
        var withPending = await (await http.GetAsync("openvidu/api/sessions?pendingConnections=true", Ct)).ReadObjectAsync();

        Assert.Equal(["numberOfElements", "content"], list.Keys());
        Assert.Equal(1, (int)list["numberOfElements"]!);
        Assert.Equal("listed", (string)list["content"]![0]!["id"]!);
        Assert.Equal(0, (int)list["content"]![0]!["connections"]!["numberOfElements"]!);
        Assert.Equal(1, (int)withPending["content"]![0]!["connections"]!["numberOfElements"]!);
        Assert.Equal("pending", (string)withPending["content"]![0]!["connections"]!["content"]![0]!["status"]!);
    }

    [Fact]
    public async Task GetSession_HidesPendingByDefault_ShowsThemOnRequest_And404WhenUnknown()
    {
        var id = await http.CreateSessionAsync();
        await http.CreateConnectionAsync(id);

        var plain = await (await http.GetAsync($"openvidu/api/sessions/{id}", Ct)).ReadObjectAsync();
        var pending = await (await http.GetAsync($"openvidu/api/sessions/{id}?pendingConnections=true", Ct)).ReadObjectAsync();
        using var unknown = await http.GetAsync("openvidu/api/sessions/nope", Ct);

        Assert.Equal(0, (int)plain["connections"]!["numberOfElements"]!);
        Assert.Equal(1, (int)pending["connections"]!["numberOfElements"]!);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("", await unknown.ReadTextAsync());
    }

    [Fact]
    public async Task DeleteSession_Is204_ThenUnknown_AndPendingTokensDie()
    {
        var id = await http.CreateSessionAsync("doomed");
        var (_, token) = await http.CreateConnectionAsync(id);

        using var deleted = await http.DeleteAsync($"openvidu/api/sessions/{id}", Ct);
        using var again = await http.DeleteAsync($"openvidu/api/sessions/{id}", Ct);
        using var get = await http.GetAsync($"openvidu/api/sessions/{id}", Ct);
        using var connection = await http.PostJsonAsync($"openvidu/api/sessions/{id}/connection", "{}");
        await http.CreateSessionAsync("doomed");
        var (client, join) = (await OpenViduRpcClient.OpenAsync(token, TestContext.Current.CancellationToken), (JsonObject?)null);
        await using (client)
        {
            join = (await client.CallAsync("joinRoom", new JsonObject { ["token"] = token, ["session"] = id, ["platform"] = "t", ["metadata"] = "", ["secret"] = "" })).AsObject();
        }

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, connection.StatusCode);
        Assert.Equal("", await connection.ReadTextAsync());
        Assert.Equal(401, (int)join["error"]!["code"]!);
    }

    [Fact]
    public async Task CreateConnection_ReturnsPendingConnectionWithToken()
    {
        var id = await http.CreateSessionAsync("conn-shape");

        using var response = await http.PostJsonAsync($"openvidu/api/sessions/{id}/connection", """{"data":"{\"u\":\"ann\"}","role":"MODERATOR","record":false}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.ReadObjectAsync();
        Assert.Equal(
            ["id", "object", "type", "status", "connectionId", "sessionId", "createdAt", "activeAt", "location", "ip", "platform",
             "token", "serverData", "record", "role", "kurentoOptions", "rtspUri", "adaptativeBitrate", "onlyPlayWithSubscribers",
             "networkCache", "clientData", "publishers", "subscribers", "customIceServers"],
            json.Keys());
        var connectionId = (string)json["id"]!;
        Assert.Matches(ConnectionIdFormat(), connectionId);
        Assert.Equal(connectionId, (string)json["connectionId"]!);
        Assert.Equal("connection", (string)json["object"]!);
        Assert.Equal("WEBRTC", (string)json["type"]!);
        Assert.Equal("pending", (string)json["status"]!);
        Assert.Equal("conn-shape", (string)json["sessionId"]!);
        foreach (var nullField in new[] { "activeAt", "location", "ip", "platform", "kurentoOptions", "rtspUri", "adaptativeBitrate", "onlyPlayWithSubscribers", "networkCache", "clientData", "publishers", "subscribers" })
        {
            Assert.True(json.ContainsKey(nullField) && json[nullField] is null, nullField);
        }

        Assert.Equal("{\"u\":\"ann\"}", (string)json["serverData"]!);
        Assert.False((bool)json["record"]!);
        Assert.Equal("MODERATOR", (string)json["role"]!);
        Assert.Equal("[]", json["customIceServers"]!.ToJsonString());
        Assert.Matches($"^ws://127\\.0\\.0\\.1:{emulator.Port}\\?sessionId=conn-shape&token=tok_[A-Z][A-Za-z0-9]{{15}}$", (string)json["token"]!);
    }

    [Fact]
    public async Task CreateConnection_Defaults_AreAPublisherThatRecords()
    {
        var id = await http.CreateSessionAsync();

        var json = await (await http.PostAsync($"openvidu/api/sessions/{id}/connection", null, Ct)).ReadObjectAsync();

        Assert.Equal("PUBLISHER", (string)json["role"]!);
        Assert.True((bool)json["record"]!);
        Assert.Equal("", (string)json["serverData"]!);
    }

    [Theory]
    [InlineData("""{"role":"ADMIN"}""", "Parameter role ADMIN is not defined")]
    [InlineData("""{"type":"SIP"}""", null)]
    [InlineData("""{"data":false}""", null)]
    [InlineData("""{"record":"no"}""", null)]
    [InlineData("""{"customIceServers":[{"username":"x"}]}""", null)]
    public async Task CreateConnection_BadBody_Is400WithErrorBody(string body, string? message)
    {
        var id = await http.CreateSessionAsync();

        using var response = await http.PostJsonAsync($"openvidu/api/sessions/{id}/connection", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var json = await response.ReadObjectAsync();
        Assert.Equal(400, (int)json["status"]!);
        Assert.Equal($"/openvidu/api/sessions/{id}/connection", (string)json["path"]!);
        if (message is not null)
        {
            Assert.Equal(message, (string)json["message"]!);
        }
    }

    [Fact]
    public async Task CreateConnection_UnknownSession_Is404WithEmptyBody()
    {
        using var response = await http.PostJsonAsync("openvidu/api/sessions/ghost/connection", "{}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("", await response.ReadTextAsync());
    }

    [Fact]
    public async Task ListConnections_ShowsPendingByDefault_AndHidesThemOnRequest()
    {
        var id = await http.CreateSessionAsync();
        await http.CreateConnectionAsync(id);
        await http.CreateConnectionAsync(id, "SUBSCRIBER");

        var all = await (await http.GetAsync($"openvidu/api/sessions/{id}/connection", Ct)).ReadObjectAsync();
        var activeOnly = await (await http.GetAsync($"openvidu/api/sessions/{id}/connection?pendingConnections=false", Ct)).ReadObjectAsync();
        using var unknown = await http.GetAsync("openvidu/api/sessions/ghost/connection", Ct);

        Assert.Equal(2, (int)all["numberOfElements"]!);
        Assert.Equal(0, (int)activeOnly["numberOfElements"]!);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task GetConnection_400ForUnknownSession_404ForUnknownConnection()
    {
        var id = await http.CreateSessionAsync();
        var (connectionId, _) = await http.CreateConnectionAsync(id);

        using var ok = await http.GetAsync($"openvidu/api/sessions/{id}/connection/{connectionId}", Ct);
        using var badSession = await http.GetAsync($"openvidu/api/sessions/ghost/connection/{connectionId}", Ct);
        using var badConnection = await http.GetAsync($"openvidu/api/sessions/{id}/connection/con_Nope", Ct);

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(connectionId, (string)(await ok.ReadObjectAsync())["id"]!);
        Assert.Equal(HttpStatusCode.BadRequest, badSession.StatusCode);
        Assert.Equal("", await badSession.ReadTextAsync());
        Assert.Equal(HttpStatusCode.NotFound, badConnection.StatusCode);
        Assert.Equal("", await badConnection.ReadTextAsync());
    }

    [Fact]
    public async Task DeleteConnection_RevokesPendingToken_400And404Quirks()
    {
        var id = await http.CreateSessionAsync();
        var (connectionId, token) = await http.CreateConnectionAsync(id);

        using var badSession = await http.DeleteAsync($"openvidu/api/sessions/ghost/connection/{connectionId}", Ct);
        using var revoked = await http.DeleteAsync($"openvidu/api/sessions/{id}/connection/{connectionId}", Ct);
        using var again = await http.DeleteAsync($"openvidu/api/sessions/{id}/connection/{connectionId}", Ct);
        await using var client = await OpenViduRpcClient.OpenAsync(token, TestContext.Current.CancellationToken);
        var join = await client.CallAsync("joinRoom", new JsonObject { ["token"] = token, ["session"] = id, ["platform"] = "t", ["metadata"] = "", ["secret"] = "" });

        Assert.Equal(HttpStatusCode.BadRequest, badSession.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(401, (int)join["error"]!["code"]!);
    }

    [Fact]
    public async Task DeleteStream_400ForUnknownSession_404WhenNotActiveOrUnknown()
    {
        var id = await http.CreateSessionAsync();

        using var badSession = await http.DeleteAsync("openvidu/api/sessions/ghost/stream/str_CAM_abcd_con_X", Ct);
        using var notActive = await http.DeleteAsync($"openvidu/api/sessions/{id}/stream/str_CAM_abcd_con_X", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, badSession.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notActive.StatusCode);
        Assert.Equal("", await notActive.ReadTextAsync());
    }

    [Fact]
    public async Task Signal_ErrorPaths()
    {
        var id = await http.CreateSessionAsync();

        using var missing = await http.PostJsonAsync("openvidu/api/signal", """{"type":"x"}""");
        using var badType = await http.PostJsonAsync("openvidu/api/signal", $$"""{"session":"{{id}}","data":5}""");
        using var badTo = await http.PostJsonAsync("openvidu/api/signal", $$"""{"session":"{{id}}","to":"con_A"}""");
        using var unknown = await http.PostJsonAsync("openvidu/api/signal", """{"session":"ghost"}""");
        using var notActive = await http.PostJsonAsync("openvidu/api/signal", $$"""{"session":"{{id}}","type":"signal:chat"}""");

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal(400, (int)(await missing.ReadObjectAsync())["status"]!);
        Assert.Equal(HttpStatusCode.BadRequest, badType.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badTo.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("", await unknown.ReadTextAsync());
        Assert.Equal(HttpStatusCode.NotAcceptable, notActive.StatusCode);
        Assert.Equal("", await notActive.ReadTextAsync());
    }

    [Fact]
    public async Task DeprecatedTokens_ReturnsTokenObject_Or404WithErrorBody()
    {
        var id = await http.CreateSessionAsync("legacy");

        using var ok = await http.PostJsonAsync("openvidu/api/tokens", """{"session":"legacy","role":"SUBSCRIBER","data":"d"}""");
        using var unknown = await http.PostJsonAsync("openvidu/api/tokens", """{"session":"ghost"}""");
        using var missing = await http.PostJsonAsync("openvidu/api/tokens", "{}");

        var json = await ok.ReadObjectAsync();
        Assert.Equal(["id", "token", "createdAt", "connectionId", "session", "data", "role"], json.Keys());
        Assert.Equal((string)json["token"]!, (string)json["id"]!);
        Assert.StartsWith($"ws://127.0.0.1:{emulator.Port}?sessionId=legacy&token=tok_", (string)json["token"]!, StringComparison.Ordinal);
        Assert.Equal("SUBSCRIBER", (string)json["role"]!);
        Assert.Equal(id, (string)json["session"]!);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(404, (int)(await unknown.ReadObjectAsync())["status"]!);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("pending", emulator.Controls.Sessions.Single().Connections.Single().Status);
    }
}
