namespace OpenViduServerSide.Features.Directory;

/// <summary>
/// Logs refused webhook posts without letting whoever sends them fill the log: the first refusal is a warning, then at
/// most one warning a minute, saying how many were refused since the last one.
/// </summary>
internal sealed partial class WebhookRefusals(TimeProvider clock, ILoggerFactory loggers)
{
    internal static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    // The category the webhook endpoint logs under, so operators find every webhook line in one place.
    private readonly ILogger logger = loggers.CreateLogger("Microsoft.AspNetCore.Routing.WebhookEndpoints");
    private readonly Lock gate = new();
    private DateTimeOffset? lastLogged;
    private int unlogged;

    public void Refused(string remoteIp)
    {
        var now = clock.GetUtcNow();
        int count;
        bool first;
        lock (gate)
        {
            unlogged++;
            if (lastLogged is { } last && now - last < Interval)
            {
                return;
            }

            first = lastLogged is null;
            count = unlogged;
            unlogged = 0;
            lastLogged = now;
        }

        if (first)
        {
            LogFirstRefusal(remoteIp);
        }
        else
        {
            LogRefusals(count, remoteIp);
        }
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Warning, Message = "Refused a webhook from {RemoteIp}: the authentication header is missing or wrong (further refusals are summed up at most once a minute)")]
    private partial void LogFirstRefusal(string remoteIp);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Refused {Count} webhooks since the last such warning (the latest from {RemoteIp}): the authentication header is missing or wrong")]
    private partial void LogRefusals(int count, string remoteIp);
}
