using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace OpenViduServerSide.ScaleOut;

/// <summary>
/// <see cref="IRateWindows"/> in Redis, so every instance of the deployment counts into the same windows: a key is
/// <c>{deployment}:limits:{key}</c> (<see cref="ScaleOutOptions.Deployment"/>), a string counter with an expiry, and each
/// call is one round trip (a Lua script for the take and the count, so two instances never both take the last one).
/// Windows are on Redis's clock, not the app's.
/// <para>
/// While Redis is unreachable (not connected, or a command fails or times out) each instance counts on its own again
/// (<see cref="LocalRateWindows"/>): limits loosen to one instance's share instead of refusing everyone or failing the
/// request. A warning says so once per outage and an information line when Redis counts again; the local counts are
/// not merged back (they are worth at most one window).
/// </para>
/// </summary>
public sealed partial class RedisRateWindows : IRateWindows
{
    /// <summary>KEYS[1] the counter, ARGV[1] the limit, ARGV[2] the window in ms; returns {taken 1/0, ms until the window ends}.</summary>
    private const string TakeScript = """
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl <= 0 then
          redis.call('INCR', KEYS[1])
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return {1, tonumber(ARGV[2])}
        end
        if tonumber(redis.call('GET', KEYS[1])) >= tonumber(ARGV[1]) then
          return {0, ttl}
        end
        redis.call('INCR', KEYS[1])
        return {1, ttl}
        """;

    /// <summary>KEYS[1] the counter, ARGV[1] the window in ms; returns the count.</summary>
    private const string AddScript = """
        local count = redis.call('INCR', KEYS[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return count
        """;

    private readonly IConnectionMultiplexer redis;
    private readonly LocalRateWindows local;
    private readonly ILogger<RedisRateWindows> logger;
    private readonly string keyPrefix;
    private int onLocalCounts;

    public RedisRateWindows(IConnectionMultiplexer redis, IOptions<ScaleOutOptions> options, TimeProvider clock, ILogger<RedisRateWindows> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.redis = redis;
        this.logger = logger;
        local = new LocalRateWindows(clock);
        keyPrefix = options.Value.Deployment + ":limits:";
    }

    /// <summary>True while Redis is unreachable and this instance counts on its own.</summary>
    public bool CountsLocally => Volatile.Read(ref onLocalCounts) == 1;

    public async ValueTask<WindowTake> TryTakeAsync(string key, int limit, TimeSpan window)
    {
        var windowMs = Milliseconds(window);
        var result = await RunAsync(db => db.ScriptEvaluateAsync(TakeScript, [Key(key)], [limit, windowMs]));
        if (result is null)
        {
            return local.TryTake(key, limit, window);
        }

        var values = (RedisResult[])result!;
        return new WindowTake((long)values[0] == 1, TimeSpan.FromMilliseconds((long)values[1]));
    }

    public async ValueTask<long> AddAsync(string key, TimeSpan window)
    {
        var result = await RunAsync(db => db.ScriptEvaluateAsync(AddScript, [Key(key)], [Milliseconds(window)]));
        return result is null ? await local.AddAsync(key, window) : (long)result;
    }

    public async ValueTask<long> ReadAsync(string key)
    {
        var result = await RunAsync(async db => RedisResult.Create(await db.StringGetAsync(Key(key))));
        return result is null ? await local.ReadAsync(key) : result.IsNull ? 0 : (long)result;
    }

    public async ValueTask ResetAsync(string key)
    {
        // Both: a success while Redis was away must also clear what this instance counted meanwhile.
        await local.ResetAsync(key);
        await RunAsync(async db => RedisResult.Create(await db.KeyDeleteAsync(Key(key))));
    }

    private RedisKey Key(string key) => keyPrefix + key;

    private static long Milliseconds(TimeSpan window) => Math.Max(1, (long)Math.Ceiling(window.TotalMilliseconds));

    /// <summary>Redis's answer, or null when Redis is unreachable (then the caller counts locally).</summary>
    private async Task<RedisResult?> RunAsync(Func<IDatabase, Task<RedisResult>> command)
    {
        // Not connected: answer at once from this instance rather than wait for the client's timeout on every request.
        if (!redis.IsConnected)
        {
            CountLocally("not connected");
            return null;
        }

        try
        {
            var result = await command(redis.GetDatabase());
            if (Interlocked.Exchange(ref onLocalCounts, 0) == 1)
            {
                LogSharedAgain();
            }

            return result;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            CountLocally(e.Message);
            return null;
        }
    }

    private void CountLocally(string reason)
    {
        if (Interlocked.Exchange(ref onLocalCounts, 1) == 0)
        {
            LogCountingLocally(reason);
        }
    }

    [LoggerMessage(EventId = 8010, Level = LogLevel.Warning, Message = "Redis is unreachable ({Reason}): rate limits and budgets count on this instance only until it is back")]
    private partial void LogCountingLocally(string reason);

    [LoggerMessage(EventId = 8011, Level = LogLevel.Information, Message = "Redis is back: rate limits and budgets count across instances again")]
    private partial void LogSharedAgain();
}
