using Microsoft.Extensions.Options;
using OpenViduServerSide.OpenVidu;

namespace OpenViduServerSide.Features.Directory;

/// <summary>
/// Makes <see cref="CallDirectory"/> agree with OpenVidu's <c>GET /sessions</c>: once at start-up (calls that went on
/// while this app was down or restarting), in the background so an unreachable OpenVidu delays nothing and only logs,
/// and whenever the live calls page asks.
/// </summary>
public sealed partial class DirectoryReconciler(
    CallDirectory directory,
    OpenViduClient openVidu,
    IOptions<OpenViduOptions> options,
    TimeProvider clock,
    ILogger<DirectoryReconciler> logger) : BackgroundService
{
    /// <exception cref="OpenViduException">OpenVidu refused.</exception>
    /// <exception cref="OpenViduUnavailableException">OpenVidu is down or slow.</exception>
    public async Task ReconcileAsync(CancellationToken cancellationToken = default)
    {
        var started = clock.GetUtcNow();
        var truth = await openVidu.ListSessionsAsync(pendingConnections: true, cancellationToken);
        directory.Reconcile(truth, started);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrEmpty(options.Value.Webhook.HeaderName) || string.IsNullOrEmpty(options.Value.Webhook.HeaderValue))
        {
            LogWebhooksOff();
        }

        try
        {
            await ReconcileAsync(stoppingToken);
        }
        catch (Exception e) when (e is OpenViduException or OpenViduUnavailableException)
        {
            LogFailed(e.Message);
        }
    }

    [LoggerMessage(EventId = 3200, Level = LogLevel.Warning, Message = "Could not read the live calls from OpenVidu at start-up: {Reason}. The lists fill as people join.")]
    private partial void LogFailed(string reason);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "OpenVidu's webhooks will be refused: set OpenVidu:Webhook:HeaderName and OpenVidu:Webhook:HeaderValue to the header OpenVidu sends (OPENVIDU_WEBHOOK_HEADERS). Without them, tabs closed without saying goodbye are only noticed when OpenVidu drops them.")]
    private partial void LogWebhooksOff();
}
