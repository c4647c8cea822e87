using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using OpenViduServerSide.Data;
using AccountStates = OpenViduServerSide.Features.Accounts.AccountStates;
using Policies = OpenViduServerSide.Features.Accounts.Policies;
using SignInAttempt = OpenViduServerSide.Features.Accounts.SignInAttempt;
using SignInGuard = OpenViduServerSide.Features.Accounts.SignInGuard;
using OpenViduServerSide.Features.Api;
using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.OpenVidu;

namespace Microsoft.AspNetCore.Routing;

/// <summary>
/// The HTTP API: the same join and leave the call page does, through <see cref="ConnectionIssuer"/>, for scripts and
/// other clients. Errors are ProblemDetails; 401 and 403 are plain status codes, never redirects to the login page.
/// </summary>
public static class ApiEndpoints
{
    public static IEndpointRouteBuilder MapApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi().AllowAnonymous();

        // The status-code pages middleware would turn an empty 401/403/404 into the HTML not-found page.
        var api = endpoints.MapGroup("/api").WithMetadata(new SkipStatusCodePagesAttribute()).WithTags("API");

        api.MapPost("/auth/token", IssueBearerTokenAsync)
            .AllowAnonymous()
            .Produces<AccessTokenResponse>()
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("Signs in with user name and password and returns a bearer token (rate limits and the failed-attempt pause apply).");
        // The token response carries a refresh token (Identity's bearer handler always writes one); this is the only
        // place it is accepted, and only while the account's security stamp is unchanged and it is not locked.
        api.MapPost("/auth/refresh", RefreshBearerTokenAsync)
            .AllowAnonymous()
            .Produces<AccessTokenResponse>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .WithSummary("Exchanges a refresh token for a new bearer token, unless the account changed since (lock, password, role, deletion).");

        var connections = api.MapGroup("/sessions/{name}/connections")
            .RequireAuthorization(Policies.Api)
            .AddEndpointFilter(CrossSiteRequestGuard.Instance)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        connections.MapPost("", CreateConnectionAsync)
            .AddEndpointFilter<MintingRateLimit>()
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("Creates the session if needed and a connection for the signed-in user with their OpenVidu role.");
        connections.MapDelete("/{connectionId}", DeleteConnectionAsync)
            .WithSummary("Leaves: removes the caller's own connection here and at OpenVidu.");
        return endpoints;
    }

    internal static async Task<Results<Ok<CreateConnectionResponse>, ValidationProblem, ProblemHttpResult>> CreateConnectionAsync(
        string name, CreateConnectionRequest request, ClaimsPrincipal user, ConnectionIssuer issuer, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var nickname = request.Nickname?.Trim();
        ConnectionKind? kind = request.Kind switch
        {
            null or "camera" => ConnectionKind.Camera,
            "screen" => ConnectionKind.Screen,
            _ => null,
        };
        if (!SessionNames.IsValid(name) || string.IsNullOrEmpty(nickname) || nickname.Length > ConnectionData.MaxNicknameLength || kind is null)
        {
            return TypedResults.ValidationProblem(ValidationErrors(name, nickname, kind));
        }

        try
        {
            var issued = await issuer.IssueAsync(name, UserName(user), nickname, kind.Value, cancellationToken);
            return TypedResults.Ok(new CreateConnectionResponse(issued.SessionName, issued.ConnectionId, issued.Token, issued.Role));
        }
        catch (CallRefusedException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed", detail: e.Message);
        }
        catch (OpenViduUnavailableException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Video service unavailable", detail: e.Message);
        }
        catch (OpenViduException e)
        {
            Log.OpenViduFailed(loggers.CreateLogger(typeof(ApiEndpoints)), name, (int)e.Status, e.Message);
            return TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The video service refused", detail: e.Message);
        }
    }

    internal static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteConnectionAsync(
        string name, string connectionId, ClaimsPrincipal user, CallDirectory directory, ConnectionIssuer issuer, CancellationToken cancellationToken)
    {
        if (!SessionNames.IsValid(name))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = [SessionNames.Rule] });
        }

        if (directory.FindParticipant(name, connectionId) is not { } participant)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such connection",
                detail: $"The call {name} has no connection {connectionId}.");
        }

        if (!string.Equals(participant.UserName, UserName(user), StringComparison.Ordinal))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed",
                detail: "Only the user who owns a connection can remove it.");
        }

        // OpenVidu failures are logged and swallowed by ReleaseAsync: the directory is right, and OpenVidu drops a
        // connection whose browser goes away, so the caller has left either way.
        await issuer.ReleaseAsync(name, connectionId, cancellationToken);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<EmptyHttpResult, ValidationProblem, ProblemHttpResult>> IssueBearerTokenAsync(
        TokenRequest request, SignInManager<ApplicationUser> signInManager, SignInGuard guard, ILoggerFactory loggers, HttpContext httpContext)
    {
        if (string.IsNullOrWhiteSpace(request.UserName) || string.IsNullOrEmpty(request.Password))
        {
            var errors = new Dictionary<string, string[]>();
            if (string.IsNullOrWhiteSpace(request.UserName))
            {
                errors["userName"] = ["Enter your user name."];
            }

            if (string.IsNullOrEmpty(request.Password))
            {
                errors["password"] = ["Enter your password."];
            }

            return TypedResults.ValidationProblem(errors);
        }

        // The bearer handler writes the token response itself when the sign-in succeeds (as MapIdentityApi's /login does).
        signInManager.AuthenticationScheme = IdentityConstants.BearerScheme;
        var userName = request.UserName.Trim();
        var logger = loggers.CreateLogger(typeof(ApiEndpoints));
        var attempt = await guard.SignInAsync(signInManager, userName, request.Password, isPersistent: false,
            httpContext.Connection.RemoteIpAddress?.ToString());
        switch (attempt.Outcome)
        {
            case SignInAttempt.Kind.SignedIn:
                Log.TokenIssued(logger, userName);
                return TypedResults.Empty;
            case SignInAttempt.Kind.TooManyAttempts:
                httpContext.Response.Headers.RetryAfter = Math.Ceiling(attempt.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many sign-in attempts", detail: attempt.Message);
            default:
                // The same status and words for a wrong password, an unknown user and a paused user name (SignInGuard).
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed", detail: attempt.Message);
        }
    }

    internal static async Task<Results<EmptyHttpResult, ProblemHttpResult>> RefreshBearerTokenAsync(
        RefreshTokenRequest request, SignInManager<ApplicationUser> signInManager, AccountStates accounts,
        IOptionsMonitor<BearerTokenOptions> bearerOptions, IOptions<IdentityOptions> identityOptions, TimeProvider clock,
        HttpContext httpContext)
    {
        var ticket = string.IsNullOrEmpty(request.RefreshToken) ? null
            : bearerOptions.Get(IdentityConstants.BearerScheme).RefreshTokenProtector.Unprotect(request.RefreshToken);
        var claims = identityOptions.Value.ClaimsIdentity;
        if (ticket?.Properties.ExpiresUtc is not { } expires || clock.GetUtcNow() >= expires
            || !await accounts.IsCurrentAsync(ticket.Principal.FindFirstValue(claims.UserIdClaimType), ticket.Principal.FindFirstValue(claims.SecurityStampClaimType), httpContext.RequestAborted)
            || await signInManager.UserManager.FindByIdAsync(ticket.Principal.FindFirstValue(claims.UserIdClaimType)!) is not { } user)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign in again",
                detail: "The refresh token is invalid or expired, or the account changed since it was issued.");
        }

        // The bearer handler writes the new token response itself.
        await httpContext.SignInAsync(IdentityConstants.BearerScheme, await signInManager.CreateUserPrincipalAsync(user));
        return TypedResults.Empty;
    }

    private static string UserName(ClaimsPrincipal user) =>
        user.Identity?.Name ?? throw new InvalidOperationException("An authenticated API caller has no name claim.");

    private static Dictionary<string, string[]> ValidationErrors(string name, string? nickname, ConnectionKind? kind)
    {
        var errors = new Dictionary<string, string[]>();
        if (!SessionNames.IsValid(name))
        {
            errors["name"] = [SessionNames.Rule];
        }

        if (string.IsNullOrEmpty(nickname))
        {
            errors["nickname"] = [ConnectionData.NicknameMissing];
        }
        else if (nickname.Length > ConnectionData.MaxNicknameLength)
        {
            errors["nickname"] = [ConnectionData.NicknameTooLong];
        }

        if (kind is null)
        {
            errors["kind"] = ["Use \"camera\" or \"screen\"."];
        }

        return errors;
    }
}
