using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace OpenViduServerSide.Features.Accounts;

/// <summary>
/// Re-checks every open page's user every few seconds: once the account is locked, deleted, or its security stamp
/// changed (password reset, role or admin-flag change, lock), the page's user becomes anonymous, so the admin pages, the
/// moderation buttons and the call page lose their rights within <see cref="Interval"/> instead of the template's 30
/// minutes. The check reads <see cref="AccountStates"/> (one cache per process, invalidated by every save that changes
/// an account), so many open pages ticking cost no database query each.
/// </summary>
internal sealed class IdentityRevalidatingAuthenticationStateProvider(
        ILoggerFactory loggerFactory,
        AccountStates accounts,
        IOptions<IdentityOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override TimeSpan RevalidationInterval => Interval;

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        IsStillValidAsync(authenticationState.User, cancellationToken);

    internal Task<bool> IsStillValidAsync(ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        var claims = options.Value.ClaimsIdentity;
        return accounts.IsCurrentAsync(principal.FindFirstValue(claims.UserIdClaimType), principal.FindFirstValue(claims.SecurityStampClaimType), cancellationToken);
    }
}
