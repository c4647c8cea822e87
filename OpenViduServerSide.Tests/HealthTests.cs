using System.Net;
using System.Text.Json;
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
    public async Task Readiness_fails_and_says_why_when_OpenVidu_is_down()
    {
        var client = app.CreateBrowserLikeClient();

        using var response = await client.GetAsync("/health/ready", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var checks = json.RootElement.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("Unhealthy", checks.GetProperty("openvidu").GetProperty("status").GetString());
        Assert.Contains("is not answering", checks.GetProperty("openvidu").GetProperty("description").GetString(), StringComparison.Ordinal);
    }
}
