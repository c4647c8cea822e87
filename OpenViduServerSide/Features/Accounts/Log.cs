namespace OpenViduServerSide.Features.Accounts;

internal static partial class Log
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "User {UserName} signed in")]
    public static partial void SignedIn(ILogger logger, string userName);

    // Failed and refused sign-ins are logged by SignInGuard (without the typed user name of unknown accounts).
}
