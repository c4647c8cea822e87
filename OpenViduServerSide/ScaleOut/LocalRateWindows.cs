namespace OpenViduServerSide.ScaleOut;

/// <summary>
/// <see cref="IRateWindows"/> in this process's memory, on the app's clock (<see cref="TimeProvider"/>, so tests move it):
/// one instance, and the fallback of <see cref="RedisRateWindows"/> while Redis is unreachable. One lock around a
/// dictionary: each call is a few comparisons, far below the cost of the requests it limits.
/// </summary>
public sealed class LocalRateWindows(TimeProvider clock) : IRateWindows
{
    /// <summary>Above this many keys, a count drops the expired ones (bounded memory under a spray of names).</summary>
    private const int SweepAbove = 50_000;

    private readonly Dictionary<string, Counter> counters = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    public ValueTask<WindowTake> TryTakeAsync(string key, int limit, TimeSpan window) => ValueTask.FromResult(TryTake(key, limit, window));

    public ValueTask<long> AddAsync(string key, TimeSpan window)
    {
        var now = clock.GetUtcNow();
        lock (gate)
        {
            var counter = Current(key, now, window);
            counter.Count++;
            counter.ExpiresAt = now + window;
            return ValueTask.FromResult(counter.Count);
        }
    }

    public ValueTask<long> ReadAsync(string key)
    {
        var now = clock.GetUtcNow();
        lock (gate)
        {
            return ValueTask.FromResult(counters.TryGetValue(key, out var counter) && counter.ExpiresAt > now ? counter.Count : 0);
        }
    }

    public ValueTask ResetAsync(string key)
    {
        lock (gate)
        {
            counters.Remove(key);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The synchronous take, for <see cref="RedisRateWindows"/>'s fallback too.</summary>
    public WindowTake TryTake(string key, int limit, TimeSpan window)
    {
        var now = clock.GetUtcNow();
        lock (gate)
        {
            var counter = Current(key, now, window);
            if (counter.Count >= limit)
            {
                return new WindowTake(false, counter.ExpiresAt - now);
            }

            counter.Count++;
            return new WindowTake(true, counter.ExpiresAt - now);
        }
    }

    /// <summary>The key's counter, a new one when it has none or its window is over. Called under the lock.</summary>
    private Counter Current(string key, DateTimeOffset now, TimeSpan window)
    {
        if (counters.TryGetValue(key, out var counter) && counter.ExpiresAt > now)
        {
            return counter;
        }

        if (counters.Count > SweepAbove)
        {
            foreach (var (k, c) in counters)
            {
                if (c.ExpiresAt <= now)
                {
                    counters.Remove(k);
                }
            }
        }

        counter = new Counter { ExpiresAt = now + window };
        counters[key] = counter;
        return counter;
    }

    private sealed class Counter
    {
        public long Count { get; set; }

        public DateTimeOffset ExpiresAt { get; set; }
    }
}
