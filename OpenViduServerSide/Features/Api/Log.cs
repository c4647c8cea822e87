namespace OpenViduServerSide.Features.Api;

internal static partial class Log
{
    [LoggerMessage(EventId = 4200, Level = LogLevel.Information, Message = "API token issued for {UserName}")]
    public static partial void TokenIssued(ILogger logger, string userName);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "API call to OpenVidu failed for {SessionName}: {Status} {Message}")]
    public static partial void OpenViduFailed(ILogger logger, string sessionName, int status, string message);
}
