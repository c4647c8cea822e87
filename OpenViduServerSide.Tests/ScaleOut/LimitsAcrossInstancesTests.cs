using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenViduServerSide.Features.Accounts;
using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.ScaleOut;

/// <summary>
/// Two instances of one deployment (the same OpenVidu, database and Redis; on the test server, in this process) share
/// every rate limit and budget: someone spreading attempts over both is refused after the limit in total. Against the
/// test run's real Redis.
/// </summary>
/// <remarks>
/// One deployment for the class (starting two instances costs seconds): each test counts under its own user names, and
/// the limit per address (every test-server request comes from the same unknown address) is out of the way.
/// </remarks>
public sealed class LimitsAcrossInstancesTests(LimitsAcrossInstancesTests.TwoInstances instances) : IClassFixture<LimitsAcrossInstancesTests.TwoInstances>
{
    private EmulatedApp App => instances.App;

    private AppFactory Other => instances.Other;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sign_ins_spread_over_both_instances_are_refused_after_the_limit_in_total()
    {
        using var onA = App.CreateBrowserLikeClient();
        using var onB = Other.CreateBrowserLikeClient();

        var answers = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 8; attempt++)
        {
            using var response = await TokenAsync(attempt % 2 == 0 ? onA : onB, "moderator", "wrong");
            answers.Add(response.StatusCode);
        }

        using var refused = await TokenAsync(onB, "moderator", "pass");
        using var page = await LoginFlow.PostLoginAsync(onA, "moderator", "pass");

        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.Unauthorized, answer));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(HttpStatusCode.TooManyRequests, page.StatusCode);
    }

    [Fact]
    public async Task The_pause_after_failed_sign_ins_on_one_instance_refuses_the_right_password_on_the_other_and_a_success_clears_it()
    {
        using var onA = App.CreateBrowserLikeClient();
        using var onB = Other.CreateBrowserLikeClient();
        for (var attempt = 0; attempt < Lockouts.MaxFailedAttempts; attempt++)
        {
            using var failed = await TokenAsync(onA, "subscriber", "wrong");
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var paused = await TokenAsync(onB, "subscriber", "pass");
        Assert.Equal(HttpStatusCode.Unauthorized, paused.StatusCode);
        Assert.Equal(SignInGuard.Refusal, (await paused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString());

        // Four failures and a success on B: the success clears the count on A too, so four more failures do not pause.
        for (var attempt = 0; attempt < Lockouts.MaxFailedAttempts - 1; attempt++)
        {
            using var failed = await TokenAsync(onB, "publisher2", "wrong");
        }

        using (var success = await TokenAsync(onB, "publisher2", "pass"))
        {
            Assert.Equal(HttpStatusCode.OK, success.StatusCode);
        }

        using (var failedOnA = await TokenAsync(onA, "publisher2", "wrong"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, failedOnA.StatusCode);
        }

        using var stillIn = await TokenAsync(onA, "publisher2", "pass");
        Assert.Equal(HttpStatusCode.OK, stillIn.StatusCode);
    }

    [Fact]
    public async Task Joins_spread_over_both_instances_spend_one_mint_budget()
    {
        var issuers = new[] { App.Get<ConnectionIssuer>(), Other.Services.GetRequiredService<ConnectionIssuer>() };
        for (var i = 0; i < 3; i++)
        {
            var issuer = issuers[i % 2];
            var issued = await issuer.IssueAsync("Budget", "publisher2", "Bob", ConnectionKind.Camera, Ct);
            await issuer.ReleaseAsync("Budget", issued.ConnectionId, Ct);
        }

        var refused = await Assert.ThrowsAsync<CallRefusedException>(() => issuers[1].IssueAsync("Budget", "publisher2", "Bob", ConnectionKind.Camera, Ct));

        Assert.Contains("You joined too often in the last minute", refused.Message, StringComparison.Ordinal);
        // Someone else's budget is their own.
        await issuers[1].IssueAsync("Budget", "admin", "Alice", ConnectionKind.Camera, Ct);
    }

    [Fact]
    public async Task The_API_minting_limit_counts_requests_to_both_instances_together()
    {
        using var onA = App.CreateBrowserLikeClient();
        using var onB = Other.CreateBrowserLikeClient();
        await LoginFlow.SignInAsync(onA, "publisher1");
        await LoginFlow.SignInAsync(onB, "publisher1");

        using var first = await MintAsync(onA);
        using var second = await MintAsync(onB);
        using var third = await MintAsync(onA);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.True(third.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", third.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Too many new connections", (await third.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, App.Emulator.Controls.Sessions.Single(s => s.Id == "Minted").Connections.Count);
    }

    private static Task<HttpResponseMessage> TokenAsync(HttpClient client, string userName, string password) =>
        client.PostAsJsonAsync("/api/auth/token", new { userName, password }, Ct);

    private static async Task<HttpResponseMessage> MintAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/sessions/Minted/connections") { Content = JsonContent.Create(new { nickname = "Alice" }) };
        request.Headers.Add("X-Requested-With", "XMLHttpRequest");
        return await client.SendAsync(request, Ct);
    }

    /// <summary>Two instances of one deployment on the run's Redis, with small limits.</summary>
    public sealed class TwoInstances : IAsyncLifetime
    {
        public EmulatedApp App { get; private set; } = null!;

        public AppFactory Other { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            App = await EmulatedApp.StartAsync(new()
            {
                Redis = true,
                Settings = new Dictionary<string, string?>
                {
                    ["RateLimits:SignInPerUserNamePerMinute"] = "8",
                    ["RateLimits:SignInPerAddressPerMinute"] = "1000",
                    ["RateLimits:ConnectionsPerUserPerMinute"] = "2",
                    ["Calls:MintsPerUserPerMinute"] = "3",
                },
            });
            Other = App.StartInstance();
        }

        public async ValueTask DisposeAsync() => await App.DisposeAsync();
    }
}
