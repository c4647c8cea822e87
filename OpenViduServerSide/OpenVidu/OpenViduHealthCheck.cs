using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OpenViduServerSide.OpenVidu;

/// <summary>Ready when OpenVidu answers GET /config with our secret.</summary>
internal sealed class OpenViduHealthCheck(OpenViduClient client) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var config = await client.GetConfigAsync(cancellationToken);
            return HealthCheckResult.Healthy($"OpenVidu {config.Version}");
        }
        catch (Exception e) when (e is OpenViduException or OpenViduUnavailableException)
        {
            return HealthCheckResult.Unhealthy(e.Message);
        }
    }
}
