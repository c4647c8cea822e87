using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenViduServerSide.Features.Accounts;
using OpenViduServerSide.Features.Admin;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Accounts;

/// <summary>
/// Sign-in cannot be used to lock someone out or to learn which accounts exist, guessing and minting are rate limited
/// (429 with Retry-After), and typed user names of failed sign-ins stay out of the logs.
/// </summary>
public sealed class SignInLimitTests : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> hosts = [];
    private readonly LogCollector logs = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        foreach (var host in hosts)
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task FailedAttemptsPauseOnlyThatAddressSoNobodyCanLockTheAdminOut()
    {
        var host = Start();
        var attacker = Client(host, "203.0.113.7");
        for (var attempt = 0; attempt < 6; attempt++)
        {
            using var failed = await LoginFlow.PostLoginAsync(attacker, "admin", "wrong");
        }

        using var fromAttacker = await LoginFlow.PostLoginAsync(attacker, "admin", "pass");
        using var fromAdmin = await LoginFlow.PostLoginAsync(Client(host, "198.51.100.1"), "admin", "pass");

        Assert.Equal(HttpStatusCode.OK, fromAttacker.StatusCode);
        Assert.Contains(SignInGuard.Refusal, LoginFlow.Decode(await fromAttacker.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, fromAdmin.StatusCode);
    }

    [Fact]
    public async Task WrongPasswordUnknownUserAndAPausedUserNameGetTheSameAnswer()
    {
        var host = Start();
        var client = Client(host, "203.0.113.8");
        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var failed = await TokenAsync(client, "publisher1", "wrong");
        }

        using var paused = await TokenAsync(client, "publisher1", "pass");
        using var wrong = await TokenAsync(client, "publisher2", "wrong");
        using var unknown = await TokenAsync(client, "nobody-here", "pass");

        var answers = new List<(HttpStatusCode, string?)>();
        foreach (var response in new[] { paused, wrong, unknown })
        {
            answers.Add((response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString()));
        }

        Assert.All(answers, answer => Assert.Equal((HttpStatusCode.Unauthorized, SignInGuard.Refusal), answer));
    }

    [Fact]
    public async Task AnAdministratorsLockIsNamedOnlyAfterTheRightPasswordAndNeverAsFiveMinutes()
    {
        var host = Start();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<UserAdministration>().LockAsync("admin", "publisher1", Ct)).Succeeded);
        }

        var client = Client(host, "203.0.113.9");
        using var wrongPassword = await TokenAsync(client, "publisher1", "wrong");
        using var rightPassword = await TokenAsync(client, "publisher1", "pass");
        using var page = await LoginFlow.PostLoginAsync(client, "publisher1", "pass");

        Assert.Equal(SignInGuard.Refusal, (await wrongPassword.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString());
        var detail = (await rightPassword.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString();
        Assert.Equal(HttpStatusCode.Unauthorized, rightPassword.StatusCode);
        Assert.Equal(SignInGuard.LockedByAdministrator, detail);
        Assert.DoesNotContain("minutes", detail, StringComparison.Ordinal);
        Assert.Contains(SignInGuard.LockedByAdministrator, LoginFlow.Decode(await page.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignInIsRateLimitedPerAddressWith429AndRetryAfter()
    {
        var host = Start(new() { ["RateLimits:SignInPerAddressPerMinute"] = "3" });
        var client = Client(host, "203.0.113.10");
        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var allowed = await TokenAsync(client, $"user{attempt}", "wrong");
            Assert.Equal(HttpStatusCode.Unauthorized, allowed.StatusCode);
        }

        using var api = await TokenAsync(client, "publisher1", "pass");
        using var page = await LoginFlow.PostLoginAsync(client, "publisher1", "pass");
        using var elsewhere = await TokenAsync(Client(host, "198.51.100.2"), "publisher1", "pass");

        Assert.Equal(HttpStatusCode.TooManyRequests, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Too many sign-in attempts", (await api.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(api.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(HttpStatusCode.TooManyRequests, page.StatusCode);
        Assert.NotNull(page.Headers.RetryAfter);
        Assert.Contains("Too many sign-in attempts. Wait", LoginFlow.Decode(await page.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
    }

    [Fact]
    public async Task SignInIsRateLimitedPerUserNameFromAnyAddress()
    {
        var host = Start(new() { ["RateLimits:SignInPerUserNamePerMinute"] = "2" });

        using var first = await TokenAsync(Client(host, "203.0.113.11"), "moderator", "wrong");
        using var second = await TokenAsync(Client(host, "203.0.113.12"), "moderator", "wrong");
        using var third = await TokenAsync(Client(host, "203.0.113.13"), "moderator", "pass");
        using var otherUser = await TokenAsync(Client(host, "203.0.113.13"), "publisher1", "pass");

        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherUser.StatusCode);
    }

    [Fact]
    public async Task MintingIsRateLimitedPerUserAndPerAddress()
    {
        var host = Start(new() { ["RateLimits:ConnectionsPerUserPerMinute"] = "2", ["RateLimits:ConnectionsPerAddressPerMinute"] = "3" });
        var alice = Client(host, "203.0.113.20");
        var bob = Client(host, "203.0.113.20");
        var carol = Client(host, "198.51.100.3");
        await LoginFlow.SignInAsync(alice, "publisher1");
        await LoginFlow.SignInAsync(bob, "publisher2");
        await LoginFlow.SignInAsync(carol, "moderator");

        // No OpenVidu here: allowed requests answer 503, refused ones 429 before reaching it.
        var aliceAnswers = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await MintAsync(alice);
            aliceAnswers.Add(response.StatusCode);
        }

        using var bobFirst = await MintAsync(bob);
        using var bobSecond = await MintAsync(bob);
        using var carolFirst = await MintAsync(carol);

        Assert.Equal([HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.TooManyRequests], aliceAnswers);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, bobFirst.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, bobSecond.StatusCode);
        Assert.True(bobSecond.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", bobSecond.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Too many new connections", (await bobSecond.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, carolFirst.StatusCode);
    }

    [Fact]
    public async Task AFailedSignInDoesNotLogWhatWasTypedAsAnUnknownUserName()
    {
        var host = Start();
        var client = Client(host, "203.0.113.30");

        using var page = await LoginFlow.PostLoginAsync(client, "Summer2026!Secret", "wrong");
        using var api = await TokenAsync(client, "Winter2026!Secret", "wrong");
        using var known = await TokenAsync(client, "publisher2", "wrong");

        Assert.DoesNotContain(logs.Messages, m => m.Contains("Summer2026", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(logs.Messages, m => m.Contains("Winter2026", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(2, logs.Messages.Count(m => m.Contains("Failed sign-in for unknown user name #", StringComparison.Ordinal)));
        Assert.Contains(logs.Messages, m => m.Contains("Failed sign-in for publisher2", StringComparison.Ordinal));
    }

    private WebApplicationFactory<Program> Start(Dictionary<string, string?>? settings = null)
    {
        var app = new AppFactory(settings: settings);
        var host = app.WithWebHostBuilder(builder => builder
            .ConfigureLogging(logging => logging.AddProvider(logs))
            .ConfigureTestServices(services => services.AddSingleton<IStartupFilter, FakeRemoteAddress>()));
        hosts.Add(host);
        hosts.Add(app);
        return host;
    }

    private static HttpClient Client(WebApplicationFactory<Program> host, string address)
    {
        var client = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.Add(FakeRemoteAddress.Header, address);
        return client;
    }

    private static Task<HttpResponseMessage> TokenAsync(HttpClient client, string userName, string password) =>
        client.PostAsJsonAsync("/api/auth/token", new { userName, password }, Ct);

    private static async Task<HttpResponseMessage> MintAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/sessions/limited/connections") { Content = JsonContent.Create(new { nickname = "Nick" }) };
        request.Headers.Add("X-Requested-With", "XMLHttpRequest");
        return await client.SendAsync(request, Ct);
    }

    private sealed class LogCollector : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> messages = new();

        public IEnumerable<string> Messages => messages;

        public ILogger CreateLogger(string categoryName) => new Collecting(messages);

        public void Dispose()
        {
        }

        private sealed class Collecting(ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue(formatter(state, exception));
        }
    }
}
