using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenViduServerSide.ScaleOut;

namespace OpenViduServerSide.Features.Directory;

/// <summary>
/// Part of <c>/health/ready</c>: whether this instance hears the others of its deployment. Without Redis there are no
/// others. Degraded, not unhealthy, while Redis is away or this instance is catching up: its own pages still work, they
/// only miss the other instances' changes until it is back.
/// </summary>
internal sealed class InstancesHealthCheck(IInstanceBus bus, DirectoryReplication replication) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            !bus.IsShared ? HealthCheckResult.Healthy("One instance (no ConnectionStrings:Redis).")
            : !bus.IsConnected ? HealthCheckResult.Degraded("Redis is unreachable: this instance does not hear the others; it catches up from OpenVidu when Redis is back.")
            : replication.IsCatchingUp ? HealthCheckResult.Degraded("Redis is back: catching up from OpenVidu.")
            : HealthCheckResult.Healthy("Joined to the other instances through Redis."));
}
