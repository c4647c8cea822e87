using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace OpenViduServerSide.Features.Directory;

/// <summary>
/// How many connections each user may still mint this minute (<see cref="CallLimits.MintsPerUserPerMinute"/>), for the
/// page and the API alike: the API's HTTP rate limiter cannot see joins made through a Blazor circuit. Fixed one-minute
/// windows on the app's clock; a user's entry is replaced when their window is over, so the map holds at most one entry
/// per account that minted in the last minute.
/// </summary>
public sealed class MintBudget(IOptions<CallLimits> limits, TimeProvider clock)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, Counter> counters = new(StringComparer.Ordinal);

    /// <summary>Takes one mint from the user's budget; false (and nothing taken) when it is spent, with the wait until it refills.</summary>
    public bool TryTake(string userName, out TimeSpan retryAfter)
    {
        var now = clock.GetUtcNow();
        var counter = counters.AddOrUpdate(userName,
            _ => new Counter(now),
            (_, existing) => now - existing.WindowStart >= Window ? new Counter(now) : existing);
        retryAfter = counter.WindowStart + Window - now;
        return counter.TryTake(limits.Value.MintsPerUserPerMinute);
    }

    private sealed class Counter(DateTimeOffset windowStart)
    {
        private int taken;

        public DateTimeOffset WindowStart { get; } = windowStart;

        public bool TryTake(int limit)
        {
            if (Interlocked.Increment(ref taken) <= limit)
            {
                return true;
            }

            Interlocked.Decrement(ref taken);
            return false;
        }
    }
}
