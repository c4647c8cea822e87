using Microsoft.AspNetCore.Authorization;

namespace OpenViduServerSide.Features.Accounts;

/// <summary>Named authorization policies; pages, endpoints and services use these names, never role strings.</summary>
public static class Policies
{
    public const string Admin = "Admin";
    public const string Moderator = "Moderator";

    public static AuthorizationBuilder AddAppPolicies(this AuthorizationBuilder builder) => builder
        // Every page and endpoint needs a signed-in user unless it opts out with [AllowAnonymous].
        .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
        .AddPolicy(Admin, policy => policy.RequireRole(Roles.Admin))
        .AddPolicy(Moderator, policy => policy.RequireRole(Roles.Moderator, Roles.Admin));
}
