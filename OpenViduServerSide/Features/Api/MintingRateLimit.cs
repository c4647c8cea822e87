using System.Globalization;
using Microsoft.Extensions.Options;
using OpenViduServerSide.Features.Accounts;
using OpenViduServerSide.ScaleOut;

namespace OpenViduServerSide.Features.Api;

/// <summary>
/// The rate limit of the API's minting endpoint (<c>POST /api/sessions/{name}/connections</c>), per signed-in user and per
/// client address: every mint creates a session and a pending connection at OpenVidu, so a script looping over call names
/// must be slowed. Over the limit: 429 ProblemDetails with <c>Retry-After</c>.
/// An endpoint filter on the shared counters (<see cref="IRateWindows"/>) rather than ASP.NET Core's rate limiter, so the
/// limit counts across the deployment's instances; as a filter it runs after authorization (anonymous callers got their
/// 401 first, the user is known) and after the cross-site guard. One window per user, then one per address; a caller
/// refused by the address limit has still spent one of their own.
/// </summary>
internal sealed class MintingRateLimit(IRateWindows windows, IOptions<RateLimitOptions> options) : IEndpointFilter
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var limits = options.Value;
        var take = await windows.TryTakeAsync($"api-mint:user:{http.User.Identity?.Name}", Math.Max(1, limits.ConnectionsPerUserPerMinute), Minute);
        if (take.Taken)
        {
            take = await windows.TryTakeAsync($"api-mint:address:{http.Connection.RemoteIpAddress}", Math.Max(1, limits.ConnectionsPerAddressPerMinute), Minute);
        }

        if (take.Taken)
        {
            return await next(context);
        }

        var seconds = Math.Max(1, Math.Ceiling(take.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        http.Response.Headers.RetryAfter = seconds;
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
            detail: $"Too many new connections from you or your address. Wait {seconds} seconds and try again.");
    }
}
