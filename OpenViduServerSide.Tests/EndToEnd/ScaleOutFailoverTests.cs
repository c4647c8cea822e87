using Microsoft.Playwright;
using OpenViduServerSide.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OpenViduServerSide.Tests.EndToEnd;

/// <summary>
/// Through the front: a browser stays on one instance while it lives, and when that instance is killed (SIGKILL) the
/// browser moves to the other one, still signed in; nothing of the call's history is lost, and the other instance's pages
/// show the killed instance's people leaving once OpenVidu says so. Its own cluster, since it kills an instance.
/// </summary>
public sealed class ScaleOutFailoverTests(BrowserFixture browsers) : IAsyncLifetime
{
    private ScaleOutCluster cluster = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => cluster = await ScaleOutCluster.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_front_keeps_a_browser_on_one_instance_and_moves_it_when_that_instance_dies_losing_nothing()
    {
        await using var aliceContext = await browsers.NewContextAsync(cluster.FrontUrl);
        var alicePage = await aliceContext.NewPageAsync();
        var alice = new AppPage(alicePage);
        var circuitInstances = new List<string>();
        alicePage.Response += (_, response) =>
        {
            if (response.Url.Contains("/_blazor/negotiate", StringComparison.Ordinal))
            {
                lock (circuitInstances)
                {
                    circuitInstances.Add(ServedBy(response));
                }
            }
        };

        // The first answer picks an instance; every later one, the circuit's negotiation included, comes from it.
        var home = ServedBy(await alicePage.GotoAsync("/Account/Login"));
        await alice.SignInAsync("publisher1");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(home, ServedBy(await alicePage.ReloadAsync()));
        }

        await alice.JoinAsync("Failover", "Alice");
        lock (circuitInstances)
        {
            Assert.NotEmpty(circuitInstances);
            Assert.All(circuitInstances, instance => Assert.Equal(home, instance));
        }

        var doomed = cluster.Instance(home);
        var survivor = cluster.Instances.Single(i => i != doomed);
        await using var bobContext = await browsers.NewContextAsync(survivor.Url);
        var bob = await ScaleOutTests.SignedInAsync(bobContext, "publisher2");
        await bob.JoinAsync("Failover", "Bob");
        await Expect(bob.Participants.Filter(new() { HasText = "Alice" })).ToHaveCountAsync(1);

        await cluster.KillAsync(doomed);

        // Her circuit died with its instance; OpenVidu still has her until her browser goes, so Bob still sees her.
        await Expect(bob.Participants.Filter(new() { HasText = "Alice" })).ToHaveCountAsync(1);
        await UntilTheFrontSkipsAsync(doomed, survivor);
        // Her browser goes: the whole context, not the page (closing the page while Blazor reloads it after the lost
        // circuit once never finished; the test waited 13 minutes). Her next browser has her cookies.
        var aliceCookies = await aliceContext.StorageStateAsync();
        await aliceContext.CloseAsync().WaitAsync(TimeSpan.FromSeconds(60), Ct);
        await Expect(bob.Participants.Filter(new() { HasText = "Alice" })).ToHaveCountAsync(0);

        // Her next page goes to the live instance, and her sign-in holds there (one set of data-protection keys).
        await using var againContext = await browsers.NewContextAsync(cluster.FrontUrl, aliceCookies);
        var againPage = await againContext.NewPageAsync();
        Assert.Equal(survivor.Name, ServedBy(await againPage.GotoAsync("/")));
        await Expect(againPage.GetByTestId("user-name")).ToContainTextAsync("publisher1");
        Assert.Equal(survivor.Name, ServedBy(await againPage.ReloadAsync()));
        await Expect(againPage.GetByTestId("user-name")).ToContainTextAsync("publisher1");
        await againPage.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("scale-out-after-failover") });

        // Her time in the call, joined on the dead instance and left after it died, is in the history.
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var csv = await (await againContext.APIRequest.GetAsync($"/history/attendance.csv?from={today:yyyy-MM-dd}&to={today:yyyy-MM-dd}")).TextAsync();
        var row = csv.Split('\n').SingleOrDefault(line => line.Contains("Failover", StringComparison.Ordinal) && line.Contains("Alice", StringComparison.Ordinal));
        Assert.True(row is not null, $"No row of Alice in Failover:\n{csv}\n{cluster.Logs()}");
        Assert.DoesNotContain("still in the call", row, StringComparison.Ordinal);
    }

    /// <summary>Asks the front (without a cookie, so round robin) until several answers in a row come from the survivor.</summary>
    private async Task UntilTheFrontSkipsAsync(ClusterProcess doomed, ClusterProcess survivor)
    {
        using var client = new HttpClient { BaseAddress = new Uri(cluster.FrontUrl) };
        var inARow = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (inARow < 4)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The front still sends requests to {doomed.Name}.\n{cluster.Logs()}");
            using var answer = await client.GetAsync("/health", Ct);
            inARow = answer.IsSuccessStatusCode && answer.Headers.TryGetValues(ScaleOutCluster.InstanceHeader, out var served) && served.Single() == survivor.Name
                ? inARow + 1
                : 0;
            await Task.Delay(50, Ct);
        }
    }

    private static string ServedBy(IResponse? response) =>
        response?.Headers.TryGetValue(ScaleOutCluster.InstanceHeader.ToLowerInvariant(), out var instance) == true
            ? instance
            : throw new InvalidOperationException($"{response?.Url} came without {ScaleOutCluster.InstanceHeader}.");
}
