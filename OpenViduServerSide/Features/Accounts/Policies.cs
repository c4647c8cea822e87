using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;

namespace OpenViduServerSide.Features.Accounts;

/// <summary>Named authorization policies; pages, endpoints and services use these names, never role strings.</summary>
public static class Policies
{
    public const string Admin = "Admin";

    /// <summary>API endpoints accept the sign-in cookie or a bearer token from <c>POST /api/auth/token</c> (the bearer scheme is added by <c>AddApi</c>).</summary>
    public const string Api = "Api";

    public static AuthorizationBuilder AddAppPolicies(this AuthorizationBuilder builder) => builder
        // Every page and endpoint needs a signed-in user unless it opts out with [AllowAnonymous].
        .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
        .AddPolicy(Admin, policy => policy.RequireRole(Roles.Admin))
        .AddPolicy(Api, policy => policy
            .AddAuthenticationSchemes(IdentityConstants.ApplicationScheme, IdentityConstants.BearerScheme)
            .RequireAuthenticatedUser());
}
