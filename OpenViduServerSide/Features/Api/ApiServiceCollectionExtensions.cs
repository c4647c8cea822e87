using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using OpenViduServerSide.Features.Api;

namespace Microsoft.Extensions.DependencyInjection;

public static class ApiServiceCollectionExtensions
{
    /// <summary>Bearer tokens (for the API policy, <c>Policies.Api</c>), ProblemDetails, source-generated JSON and the OpenAPI document.</summary>
    public static IHostApplicationBuilder AddApi(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        // Identity's bearer tokens (data-protected, like the cookie), without MapIdentityApi's open /register. Every
        // request re-checks the account's security stamp and lockout, so a lock, password reset, role change or deletion
        // ends the token at once (it would otherwise live for its whole hour).
        services.AddAuthentication().AddBearerToken(IdentityConstants.BearerScheme,
            options => options.Events.OnMessageReceived = BearerTokenRevalidation.OnMessageReceivedAsync);
        services.AddOptions<BearerTokenOptions>(IdentityConstants.BearerScheme).PostConfigure<TimeProvider>((options, clock) =>
            options.BearerTokenProtector = new BearerTicketCache(options.BearerTokenProtector, clock));

        // .NET 10's cookie handler already answers 401/403 for API endpoints; this keeps it so for every /api path
        // (whatever metadata an endpoint has), while pages still redirect to the login page.
        services.PostConfigure<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme, options =>
        {
            var redirectToLogin = options.Events.OnRedirectToLogin;
            var redirectToAccessDenied = options.Events.OnRedirectToAccessDenied;
            options.Events.OnRedirectToLogin = context => IsApi(context.Request)
                ? SetStatus(context.Response, StatusCodes.Status401Unauthorized)
                : redirectToLogin(context);
            options.Events.OnRedirectToAccessDenied = context => IsApi(context.Request)
                ? SetStatus(context.Response, StatusCodes.Status403Forbidden)
                : redirectToAccessDenied(context);
        });

        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
        services.AddOpenApi();
        return builder;
    }

    private static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase);

    private static Task SetStatus(HttpResponse response, int status)
    {
        response.StatusCode = status;
        return Task.CompletedTask;
    }
}
