using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests;

public sealed class HealthTests : IAsyncLifetime
{
    private readonly AppFactory app = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task Liveness_answers_json_without_signing_in()
    {
        var client = app.CreateBrowserLikeClient();

        using var response = await client.GetAsync("/health", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Healthy", json.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readiness_fails_and_says_why_to_an_admin_when_OpenVidu_is_down()
    {
        var client = app.CreateBrowserLikeClient();
        await LoginFlow.SignInAsync(client, "admin");

        using var response = await client.GetAsync("/health/ready", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var checks = json.RootElement.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("Unhealthy", checks.GetProperty("openvidu").GetProperty("status").GetString());
        var description = checks.GetProperty("openvidu").GetProperty("description").GetString();
        Assert.Contains("is not answering", description, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnonymousReadinessGivesOnlyTheOverallStatus()
    {
        var client = app.CreateBrowserLikeClient();

        using var response = await client.GetAsync("/health/ready", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("Unhealthy", json.RootElement.GetProperty("status").GetString());
        Assert.False(json.RootElement.TryGetProperty("checks", out _), body);
        Assert.DoesNotContain("OpenVidu", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("127.0.0.1", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadinessChecksRunOnceForABurstOfCalls()
    {
        var runs = 0;
        await using var counted = app.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
            services.AddHealthChecks().AddCheck("counted", () =>
            {
                Interlocked.Increment(ref runs);
                return HealthCheckResult.Healthy();
            }, tags: ["ready"])));
        var client = counted.CreateClient();

        for (var call = 0; call < 5; call++)
        {
            using var response = await client.GetAsync("/health/ready", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        Assert.Equal(1, runs);
    }
}
