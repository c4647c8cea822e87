using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OpenViduServerSide.Health;

/// <summary>
/// The latest readiness report, reused for <see cref="Lifetime"/> after it completes: callers during a run share it, so
/// anonymous probes cannot multiply queries against the database and OpenVidu.
/// </summary>
internal sealed class ReadinessCache(HealthCheckService health, TimeProvider clock)
{
    internal static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    private readonly Lock gate = new();
    private Task<HealthReport>? current;
    private long expiresAtTicks;

    public Task<HealthReport> GetAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (current is null || (current.IsCompleted && clock.GetUtcNow().UtcTicks >= Volatile.Read(ref expiresAtTicks)))
            {
                current = RunAsync();
            }

            // One caller hanging up must not cancel the run the others wait for; the checks bound themselves.
            return current.WaitAsync(cancellationToken);
        }
    }

    private async Task<HealthReport> RunAsync()
    {
        try
        {
            return await health.CheckHealthAsync(c => c.Tags.Contains("ready"), CancellationToken.None);
        }
        finally
        {
            Volatile.Write(ref expiresAtTicks, (clock.GetUtcNow() + Lifetime).UtcTicks);
        }
    }
}
