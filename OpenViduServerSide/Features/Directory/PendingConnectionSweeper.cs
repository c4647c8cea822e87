using Microsoft.Extensions.Options;
using OpenViduServerSide.OpenVidu;

namespace OpenViduServerSide.Features.Directory;

/// <summary>
/// Revokes connections minted and never used, a few times per <see cref="CallLimits.PendingLifetime"/>
/// (<see cref="ConnectionIssuer.ExpirePendingAsync"/>). OpenVidu being down only delays it.
/// </summary>
internal sealed partial class PendingConnectionSweeper(ConnectionIssuer issuer, IOptions<CallLimits> limits, TimeProvider clock, ILogger<PendingConnectionSweeper> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(limits.Value.PendingLifetime / 4, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await issuer.ExpirePendingAsync(stoppingToken);
                }
                catch (Exception e) when (e is OpenViduException or OpenViduUnavailableException)
                {
                    LogFailed(e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "Could not revoke unused connections: {Reason}")]
    private partial void LogFailed(string reason);
}
