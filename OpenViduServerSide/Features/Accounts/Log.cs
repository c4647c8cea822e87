namespace OpenViduServerSide.Features.Accounts;

internal static partial class Log
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "User {UserName} signed in")]
    public static partial void SignedIn(ILogger logger, string userName);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Failed sign-in for user name {UserName}")]
    public static partial void SignInFailed(ILogger logger, string userName);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "User {UserName} is locked out")]
    public static partial void LockedOut(ILogger logger, string userName);
}
