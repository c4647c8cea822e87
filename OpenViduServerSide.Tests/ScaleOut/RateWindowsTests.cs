using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenViduServerSide.ScaleOut;
using OpenViduServerSide.Tests.Infrastructure;
using StackExchange.Redis;

namespace OpenViduServerSide.Tests.ScaleOut;

/// <summary>
/// The shared counters of the rate limits against the test run's real Redis: two instances (two connections, one
/// deployment) count into one window, windows end on time, failures are counted, read and reset across instances, and
/// an unreachable Redis loosens the limits to one instance's count instead of refusing or failing.
/// </summary>
public sealed class RateWindowsTests : IAsyncDisposable
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);
    private readonly string deployment = $"t{Guid.NewGuid():N}";
    private readonly List<IAsyncDisposable> owned = [];
    private readonly CapturedLogs logs = new();
    private readonly ILoggerFactory loggers;

    public RateWindowsTests() => loggers = LoggerFactory.Create(builder => builder.AddProvider(logs));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        foreach (var item in owned)
        {
            await item.DisposeAsync();
        }

        loggers.Dispose();
    }

    [Fact]
    public async Task Two_instances_take_from_one_budget_and_a_refused_take_takes_nothing()
    {
        var (a, redis) = await InstanceAsync();
        var (b, _) = await InstanceAsync();

        var takes = new List<bool>();
        foreach (var instance in new[] { a, b, a, b, a })
        {
            takes.Add((await instance.TryTakeAsync("mint:user:alice", 3, TimeSpan.FromMinutes(1))).Taken);
        }

        var refused = await b.TryTakeAsync("mint:user:alice", 3, TimeSpan.FromMinutes(1));
        Assert.Equal([true, true, true, false, false], takes);
        Assert.InRange(refused.RetryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.Equal(3, (long)await redis.GetDatabase().StringGetAsync($"{deployment}:limits:mint:user:alice"));
        // Another key has its own budget.
        Assert.True((await a.TryTakeAsync("mint:user:bob", 3, TimeSpan.FromMinutes(1))).Taken);
    }

    [Fact]
    public async Task A_spent_budget_refills_when_its_window_ends()
    {
        var (a, _) = await InstanceAsync();
        var (b, _) = await InstanceAsync();
        var window = TimeSpan.FromMilliseconds(400);

        Assert.True((await a.TryTakeAsync("short", 1, window)).Taken);
        var refused = await b.TryTakeAsync("short", 1, window);

        Assert.False(refused.Taken);
        Assert.InRange(refused.RetryAfter, TimeSpan.FromMilliseconds(1), window);
        await UntilAsync(async () => (await b.TryTakeAsync("short", 1, window)).Taken);
        Assert.False((await a.TryTakeAsync("short", 1, window)).Taken);
    }

    [Fact]
    public async Task Failures_counted_on_one_instance_are_read_and_reset_on_the_other_and_forgotten_after_a_quiet_window()
    {
        var (a, _) = await InstanceAsync();
        var (b, _) = await InstanceAsync();

        Assert.Equal(1, await a.AddAsync("failures", TimeSpan.FromMinutes(5)));
        Assert.Equal(2, await b.AddAsync("failures", TimeSpan.FromMinutes(5)));
        Assert.Equal(2, await a.ReadAsync("failures"));
        await a.ResetAsync("failures");
        Assert.Equal(0, await b.ReadAsync("failures"));

        await b.AddAsync("quiet", TimeSpan.FromMilliseconds(300));
        Assert.Equal(1, await a.ReadAsync("quiet"));
        await UntilAsync(async () => await a.ReadAsync("quiet") == 0);
    }

    [Fact]
    public async Task While_Redis_is_unreachable_an_instance_counts_on_its_own_says_so_once_and_shares_again_when_it_is_back()
    {
        var port = TestServers.FreePort();
        var (windows, redis) = await InstanceAsync($"127.0.0.1:{port}");

        var takes = new List<bool>();
        for (var i = 0; i < 3; i++)
        {
            takes.Add((await windows.TryTakeAsync("offline", 2, TimeSpan.FromMinutes(1))).Taken);
        }

        Assert.Equal([true, true, false], takes);
        Assert.True(windows.CountsLocally);
        Assert.Equal(1, await windows.AddAsync("offline-failures", TimeSpan.FromMinutes(1)));
        Assert.Equal(1, await windows.ReadAsync("offline-failures"));
        Assert.Single(logs.Records, r => r.EventId.Id == 8010 && r.Level == LogLevel.Warning);

        await using var back = await TestServers.StartPrivateRedisAsync(port, Ct);
        await UntilAsync(() => Task.FromResult(redis.IsConnected));
        Assert.True((await windows.TryTakeAsync("online", 1, TimeSpan.FromMinutes(1))).Taken);

        Assert.False(windows.CountsLocally);
        Assert.Single(logs.Records, r => r.EventId.Id == 8011);
        Assert.Equal(1, (long)await redis.GetDatabase().StringGetAsync($"{deployment}:limits:online"));
        await redis.CloseAsync();
    }

    private async Task<(RedisRateWindows Windows, IConnectionMultiplexer Redis)> InstanceAsync(string? configuration = null)
    {
        var options = ConfigurationOptions.Parse(configuration ?? TestServers.Redis);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 1000;
        options.ReconnectRetryPolicy = new LinearRetry(200);
        var redis = await ConnectionMultiplexer.ConnectAsync(options);
        owned.Add(redis);
        var windows = new RedisRateWindows(redis, Options.Create(new ScaleOutOptions { Deployment = deployment }), TimeProvider.System, loggers.CreateLogger<RedisRateWindows>());
        return (windows, redis);
    }

    /// <summary>Completes when <paramref name="condition"/> holds, checked every 20 ms, or fails after <see cref="Soon"/>.</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(Soon);
        while (!await condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
