using Microsoft.Extensions.Options;
using OpenViduServerSide.OpenVidu;

namespace OpenViduServerSide.Features.Directory;

/// <summary>
/// At start-up, rebuilds the directory from OpenVidu (calls that went on while this app was down or restarting).
/// In the background, so an unreachable OpenVidu delays nothing and only logs.
/// </summary>
internal sealed partial class DirectoryReconciler(SessionDirectory directory, IOptions<OpenViduOptions> options, ILogger<DirectoryReconciler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrEmpty(options.Value.Webhook.HeaderName) || string.IsNullOrEmpty(options.Value.Webhook.HeaderValue))
        {
            LogWebhooksOff();
        }

        try
        {
            await directory.ReconcileAsync(stoppingToken);
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
