namespace OpenViduServerSide.Features.Api;

/// <summary>
/// Cross-site request forgery guard for the API's state-changing endpoints (POST, DELETE).
/// <para>
/// Why a header and not an antiforgery token: API clients are scripts and apps, not forms. A request that carries
/// <c>Authorization</c> or <c>X-Requested-With</c> cannot be sent by another site's page without a CORS preflight,
/// and this app answers no preflight (no CORS policy), so the browser never sends it. Bearer callers carry
/// <c>Authorization</c> anyway; cookie callers (the app's own pages, or scripts on its origin) add
/// <c>X-Requested-With</c>. SameSite=Lax on the Identity cookie already keeps it off cross-site POSTs and DELETEs in
/// current browsers, and the JSON body needs <c>Content-Type: application/json</c> (which also forces a preflight), but
/// neither protects same-site sibling origins (another subdomain) or old browsers; this header rule does, for the cost
/// of one header lookup.
/// </para>
/// </summary>
internal sealed class CrossSiteRequestGuard : IEndpointFilter
{
    public const string HeaderName = "X-Requested-With";

    public static readonly CrossSiteRequestGuard Instance = new();

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var headers = context.HttpContext.Request.Headers;
        if (headers.Authorization.Count > 0 || headers.XRequestedWith.Count > 0)
        {
            return next(context);
        }

        return ValueTask.FromResult<object?>(TypedResults.Problem(
            statusCode: StatusCodes.Status400BadRequest,
            title: "Missing cross-site request guard",
            detail: $"Calls authenticated by the sign-in cookie must send the header {HeaderName} (any value), or use a bearer token from POST /api/auth/token."));
    }
}
