using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.OpenVidu;

/// <summary>Anyone can post to the webhook; refusals must not let them fill the operator's log.</summary>
public sealed class WebhookRefusalLogTests
{
    [Fact]
    public async Task RefusedWebhooksLogTheFirstThenAtMostOneWarningAMinuteWithACount()
    {
        var logs = new CapturedLogs();
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        await using var factory = new AppFactory(settings: new Dictionary<string, string?>
        {
            ["OpenVidu:Webhook:HeaderName"] = "X-OpenVidu-Webhook",
            ["OpenVidu:Webhook:HeaderValue"] = "hook-secret",
        });
        await using var app = factory.WithWebHostBuilder(b => b
            .ConfigureLogging(l => l.AddProvider(logs))
            .ConfigureTestServices(s => s.AddSingleton<TimeProvider>(clock)));
        var client = app.CreateClient();

        for (var attempt = 0; attempt < 20; attempt++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await PostUnauthenticatedAsync(client));
        }

        clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostUnauthenticatedAsync(client));

        var warnings = logs.Records.Where(r => r.Level >= LogLevel.Warning && r.Category.Contains("Webhook", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains("20", warnings[1].Message, StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode> PostUnauthenticatedAsync(HttpClient client)
    {
        using var content = new StringContent("{\"event\":\"sessionCreated\"}", Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/openvidu/webhook", content, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }
}
