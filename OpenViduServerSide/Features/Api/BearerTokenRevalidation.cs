using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OpenViduServerSide.Features.Accounts;

namespace OpenViduServerSide.Features.Api;

/// <summary>
/// Identity's bearer handler only unprotects a token and checks its expiry (an hour), so a token would outlive a lock,
/// a password reset, a role change or a deletion. This runs first on every bearer request: it unprotects the token
/// itself and refuses it (401, as for any bad token) unless the account still exists with the same id, the same
/// security stamp and no lockout. The id matters: a user deleted and recreated under the same name gets a new id, so the
/// old token acts as nobody. The stamp and lockout come from <see cref="AccountStates"/>, cached and invalidated by
/// every save that changes them, so this costs no query per request.
/// </summary>
internal static partial class BearerTokenRevalidation
{
    public static async Task OnMessageReceivedAsync(MessageReceivedContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string Prefix = "Bearer ";
        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var ticket = context.Options.BearerTokenProtector.Unprotect(header[Prefix.Length..].Trim());
        var services = context.HttpContext.RequestServices;
        if (ticket?.Properties.ExpiresUtc is not { } expires || services.GetRequiredService<TimeProvider>().GetUtcNow() >= expires)
        {
            // Unreadable or expired: the handler refuses it with its own reason.
            return;
        }

        var claims = services.GetRequiredService<IOptions<IdentityOptions>>().Value.ClaimsIdentity;
        var userId = ticket.Principal.FindFirstValue(claims.UserIdClaimType);
        var stamp = ticket.Principal.FindFirstValue(claims.SecurityStampClaimType);
        if (await services.GetRequiredService<AccountStates>().IsCurrentAsync(userId, stamp, context.HttpContext.RequestAborted))
        {
            // Already unprotected and checked: spare the handler doing it again.
            context.Principal = ticket.Principal;
            context.Properties = ticket.Properties;
            context.Success();
            return;
        }

        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BearerTokenRevalidation));
        if (logger.IsEnabled(LogLevel.Information))
        {
            LogRevoked(logger, ticket.Principal.Identity?.Name ?? "?");
        }

        context.Fail("The account changed since this token was issued (locked, deleted, new password or role). Sign in again.");
    }

    [LoggerMessage(EventId = 4202, Level = LogLevel.Information, Message = "Refused a bearer token of {UserName} issued before the account changed")]
    private static partial void LogRevoked(ILogger logger, string userName);
}
