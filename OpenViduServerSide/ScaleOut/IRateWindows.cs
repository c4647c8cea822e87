namespace OpenViduServerSide.ScaleOut;

/// <summary>
/// Counters in fixed windows, counted across the deployment's instances when Redis is configured: the rate limits and
/// budgets (sign-in, minting). A key is any text naming what is counted (e.g. <c>mint:user:alice</c>); it is counted on
/// its own, whatever the limit or window a caller passes. With one instance the counts are in this process's memory on the
/// app's clock (<see cref="LocalRateWindows"/>); with Redis they are Redis's, on Redis's clock (<see cref="RedisRateWindows"/>),
/// and while Redis is unreachable each instance counts on its own again.
/// </summary>
public interface IRateWindows
{
    /// <summary>
    /// Takes one from <paramref name="key"/>'s budget of <paramref name="limit"/> per <paramref name="window"/> (the window
    /// starts with the first take). When it is spent, nothing is taken and <see cref="WindowTake.RetryAfter"/> says how long
    /// until it refills.
    /// </summary>
    ValueTask<WindowTake> TryTakeAsync(string key, int limit, TimeSpan window);

    /// <summary>
    /// Counts one more for <paramref name="key"/> and returns its count; the count is forgotten <paramref name="window"/>
    /// after the last one (e.g. failed sign-ins in a row, forgotten after a quiet while).
    /// </summary>
    ValueTask<long> AddAsync(string key, TimeSpan window);

    /// <summary>The count of <paramref name="key"/> (0 when nothing was counted or it was forgotten).</summary>
    ValueTask<long> ReadAsync(string key);

    /// <summary>Forgets <paramref name="key"/>'s count (e.g. a successful sign-in).</summary>
    ValueTask ResetAsync(string key);
}

/// <summary>What a take came to: <see cref="Taken"/>, and the time until the window ends (the wait when refused).</summary>
public readonly record struct WindowTake(bool Taken, TimeSpan RetryAfter);
