using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using OpenViduServerSide.Data;

namespace Microsoft.AspNetCore.Routing;

public static class AccountEndpoints
{
    /// <summary>Logout is a form POST (antiforgery-checked by the middleware), as in the Identity template.</summary>
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/Account/Logout", async (
            [FromServices] SignInManager<ApplicationUser> signInManager,
            [FromForm] string? returnUrl) =>
        {
            await signInManager.SignOutAsync();
            return TypedResults.LocalRedirect($"~/{returnUrl?.TrimStart('/')}");
        });
        return endpoints;
    }
}
