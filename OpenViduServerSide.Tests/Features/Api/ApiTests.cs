using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Admin;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Api;

/// <summary>The HTTP API over real HTTP: the app on the test server, OpenVidu played by the emulator on loopback.</summary>
public sealed class ApiTests : IAsyncLifetime
{
    private EmulatedApp app = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => app = await EmulatedApp.StartAsync();

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Publisher_gets_a_token_and_the_emulator_holds_a_pending_PUBLISHER_connection_for_them()
    {
        var client = await SignedInAsync("publisher1");

        using var response = await PostConnectionAsync(client, "daily", "Pub One");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("daily", body.GetProperty("sessionId").GetString());
        Assert.Equal("PUBLISHER", body.GetProperty("role").GetString());
        var connectionId = body.GetProperty("connectionId").GetString()!;
        var token = body.GetProperty("token").GetString()!;
        var atEmulator = app.Emulator.Controls.Snapshot().FindConnection(connectionId);
        Assert.NotNull(atEmulator);
        Assert.Equal("daily", atEmulator.SessionId);
        Assert.Equal("pending", atEmulator.Status);
        Assert.Equal("PUBLISHER", atEmulator.Role);
        Assert.Equal(token, atEmulator.Token);
        Assert.Equal("publisher1", JsonDocument.Parse(atEmulator.ServerData).RootElement.GetProperty("serverData").GetString());
    }

    [Fact]
    public async Task A_second_join_of_a_known_session_also_works_and_both_connections_are_there()
    {
        var client = await SignedInAsync("publisher1");

        using var first = await PostConnectionAsync(client, "twice", "A");
        using var second = await PostConnectionAsync(client, "twice", "B", "screen");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(2, app.Emulator.Controls.Snapshot().FindSession("twice")!.Connections.Count);
    }

    [Fact]
    public async Task Subscriber_asking_for_a_screen_gets_403_problem_details()
    {
        var client = await SignedInAsync("subscriber");

        using var response = await PostConnectionAsync(client, "daily", "Sub", "screen");

        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "SUBSCRIBER");
        Assert.Empty(app.Emulator.Controls.Sessions);
    }

    [Fact]
    public async Task Bad_session_name_nickname_or_kind_is_a_validation_problem_naming_the_field()
    {
        var client = await SignedInAsync("publisher1");

        using var badName = await PostConnectionAsync(client, "no spaces!", "Pub");
        using var badNickname = await PostConnectionAsync(client, "daily", "  ");
        using var badKind = await PostConnectionAsync(client, "daily", "Pub", "hologram");
        // .NET's '$' also matches before a final newline: /api/sessions/daily%0A/connections must not pass.
        using var trailingNewline = await PostConnectionAsync(client, "daily\n", "Pub");

        var problem = await AssertProblemAsync(badName, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("name", out _));
        problem = await AssertProblemAsync(badNickname, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("nickname", out _));
        problem = await AssertProblemAsync(badKind, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("kind", out _));
        problem = await AssertProblemAsync(trailingNewline, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("name", out _));
        Assert.Empty(app.Emulator.Controls.Sessions);
    }

    [Fact]
    public async Task Anonymous_caller_gets_401_not_a_redirect_to_the_login_page()
    {
        var client = app.CreateBrowserLikeClient();

        using var post = await PostConnectionAsync(client, "daily", "Anon");
        using var delete = await DeleteAsync(client, "daily", "con_x");

        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
        Assert.Null(post.Headers.Location);
        Assert.Equal(HttpStatusCode.Unauthorized, delete.StatusCode);
        Assert.Empty(app.Emulator.Controls.Sessions);
    }

    [Fact]
    public async Task Cookie_caller_without_the_cross_site_guard_header_is_refused()
    {
        var client = await SignedInAsync("publisher1");

        using var response = await client.PostAsJsonAsync("/api/sessions/daily/connections", new { nickname = "Pub" }, Ct);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "X-Requested-With");
        Assert.Empty(app.Emulator.Controls.Sessions);
    }

    [Fact]
    public async Task OpenVidu_down_is_503_problem_details()
    {
        var client = await SignedInAsync("publisher1");
        await app.Emulator.Controls.GoDownAsync(Ct);

        using var response = await PostConnectionAsync(client, "daily", "Pub");

        await AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task Other_OpenVidu_errors_are_502_problem_details()
    {
        var client = await SignedInAsync("publisher1");
        app.Emulator.Controls.FailNext(1, 500);

        using var response = await PostConnectionAsync(client, "daily", "Pub");

        await AssertProblemAsync(response, HttpStatusCode.BadGateway);
    }

    [Fact]
    public async Task Owner_deletes_their_connection_204_and_it_is_gone_at_the_emulator()
    {
        var client = await SignedInAsync("publisher1");
        var connectionId = await CreateAsync(client, "leave-me");

        using var response = await DeleteAsync(client, "leave-me", connectionId);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Null(app.Emulator.Controls.Snapshot().FindConnection(connectionId));
        using var again = await DeleteAsync(client, "leave-me", connectionId);
        await AssertProblemAsync(again, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Another_user_cannot_delete_a_connection_403_and_unknown_ones_are_404()
    {
        var owner = await SignedInAsync("publisher1");
        var other = await SignedInAsync("publisher2");
        var connectionId = await CreateAsync(owner, "mine");

        using var forbidden = await DeleteAsync(other, "mine", connectionId);
        using var unknown = await DeleteAsync(other, "mine", "con_unknown");

        await AssertProblemAsync(forbidden, HttpStatusCode.Forbidden);
        await AssertProblemAsync(unknown, HttpStatusCode.NotFound);
        Assert.NotNull(app.Emulator.Controls.Snapshot().FindConnection(connectionId));
    }

    [Fact]
    public async Task Bearer_token_from_user_name_and_password_works_without_a_cookie()
    {
        var client = app.CreateBrowserLikeClient();
        using var wrong = await client.PostAsJsonAsync("/api/auth/token", new { userName = "moderator", password = "nope" }, Ct);
        await AssertProblemAsync(wrong, HttpStatusCode.Unauthorized);

        using var tokenResponse = await client.PostAsJsonAsync("/api/auth/token", new { userName = "moderator", password = "pass" }, Ct);
        Assert.Equal(HttpStatusCode.OK, tokenResponse.StatusCode);
        var accessToken = (await tokenResponse.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("accessToken").GetString();
        Assert.DoesNotContain(tokenResponse.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [],
            c => c.StartsWith(".AspNetCore.Identity.Application", StringComparison.Ordinal));

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/sessions/bearer/connections")
        {
            Content = JsonContent.Create(new { nickname = "Mod" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("MODERATOR", body.GetProperty("role").GetString());
        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/sessions/bearer/connections/{body.GetProperty("connectionId").GetString()}");
        delete.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var deleted = await client.SendAsync(delete, Ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    [Theory]
    [MemberData(nameof(AccountChanges.All), MemberType = typeof(AccountChanges))]
    public async Task BearerTokenFromBeforeAnAccountChangeIsRefusedWith401(string change)
    {
        var client = app.CreateBrowserLikeClient();
        var accessToken = await BearerTokenAsync(client, "publisher1");
        using (var before = await PostWithBearerAsync(client, accessToken, "stamp"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var result = await AdministerAsync(admin => AccountChanges.ApplyAsync(admin, change, "publisher1"));
        Assert.True(result.Succeeded, result.Message);

        using var after = await PostWithBearerAsync(client, accessToken, "stamp");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task BearerTokenOfADeletedUserDoesNotWorkForANewUserWithTheSameName()
    {
        var client = app.CreateBrowserLikeClient();
        var oldToken = await BearerTokenAsync(client, "publisher2");
        Assert.True((await AdministerAsync(admin => admin.DeleteAsync("admin", "publisher2", Ct))).Succeeded);
        Assert.True((await AdministerAsync(admin => admin.CreateAsync("admin", new NewUser("publisher2", "A-new-password-1", "MODERATOR", false), Ct))).Succeeded);

        using var withOld = await PostWithBearerAsync(client, oldToken, "recreated");
        using var withNew = await PostWithBearerAsync(client, await BearerTokenAsync(client, "publisher2", "A-new-password-1"), "recreated");

        Assert.Equal(HttpStatusCode.Unauthorized, withOld.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withNew.StatusCode);
    }

    [Fact]
    public async Task RefreshTokenGivesANewAccessTokenUntilTheAccountIsLocked()
    {
        var client = app.CreateBrowserLikeClient();
        using var tokenResponse = await client.PostAsJsonAsync("/api/auth/token", new { userName = "publisher1", password = "pass" }, Ct);
        var refreshToken = (await tokenResponse.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("refreshToken").GetString();

        using var refreshed = await client.PostAsJsonAsync("/api/auth/refresh", new { refreshToken }, Ct);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var newAccessToken = (await refreshed.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("accessToken").GetString()!;
        using (var works = await PostWithBearerAsync(client, newAccessToken, "refresh"))
        {
            Assert.Equal(HttpStatusCode.OK, works.StatusCode);
        }

        Assert.True((await AdministerAsync(admin => admin.LockAsync("admin", "publisher1", Ct))).Succeeded);
        using var refused = await client.PostAsJsonAsync("/api/auth/refresh", new { refreshToken }, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task A_role_change_applies_to_the_very_next_join()
    {
        var client = await SignedInAsync("publisher2");
        await CreateAsync(client, "roles");

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = await users.FindByNameAsync("publisher2");
            Assert.True((await users.RemoveFromRoleAsync(user!, "PUBLISHER")).Succeeded);
            Assert.True((await users.AddToRoleAsync(user!, "SUBSCRIBER")).Succeeded);
        }

        using var screen = await PostConnectionAsync(client, "roles", "P2", "screen");
        using var camera = await PostConnectionAsync(client, "roles", "P2");

        await AssertProblemAsync(screen, HttpStatusCode.Forbidden, "SUBSCRIBER");
        Assert.Equal("SUBSCRIBER", (await camera.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("role").GetString());
    }

    [Fact]
    public async Task OpenApi_document_is_served_anonymously_and_lists_both_paths()
    {
        var client = app.CreateBrowserLikeClient();

        using var response = await client.GetAsync("/openapi/v1.json", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/sessions/{name}/connections", out var create));
        Assert.True(create.TryGetProperty("post", out _));
        Assert.True(paths.TryGetProperty("/api/sessions/{name}/connections/{connectionId}", out var leave));
        Assert.True(leave.TryGetProperty("delete", out _));
        Assert.True(paths.TryGetProperty("/api/auth/token", out _));
    }

    private static async Task<string> BearerTokenAsync(HttpClient client, string userName, string password = "pass")
    {
        using var response = await client.PostAsJsonAsync("/api/auth/token", new { userName, password }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("accessToken").GetString()!;
    }

    private static async Task<HttpResponseMessage> PostWithBearerAsync(HttpClient client, string accessToken, string name)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/sessions/{name}/connections")
        {
            Content = JsonContent.Create(new { nickname = "Bearer" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await client.SendAsync(request, Ct);
    }

    private async Task<AdminResult> AdministerAsync(Func<UserAdministration, Task<AdminResult>> action)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<UserAdministration>());
    }

    private async Task<HttpClient> SignedInAsync(string userName)
    {
        var client = app.CreateBrowserLikeClient();
        await LoginFlow.SignInAsync(client, userName);
        return client;
    }

    private static async Task<HttpResponseMessage> PostConnectionAsync(HttpClient client, string name, string nickname, string? kind = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/sessions/{Uri.EscapeDataString(name)}/connections")
        {
            Content = JsonContent.Create(new { nickname, kind }),
        };
        request.Headers.Add("X-Requested-With", "XMLHttpRequest");
        return await client.SendAsync(request, Ct);
    }

    private static async Task<HttpResponseMessage> DeleteAsync(HttpClient client, string name, string connectionId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/sessions/{name}/connections/{connectionId}");
        request.Headers.Add("X-Requested-With", "XMLHttpRequest");
        return await client.SendAsync(request, Ct);
    }

    private static async Task<string> CreateAsync(HttpClient client, string name)
    {
        using var response = await PostConnectionAsync(client, name, "Nick");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("connectionId").GetString()!;
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? detailContains = null)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        if (detailContains is not null)
        {
            Assert.Contains(detailContains, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        return problem;
    }
}
