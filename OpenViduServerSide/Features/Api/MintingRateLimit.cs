using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using OpenViduServerSide.Features.Accounts;

namespace OpenViduServerSide.Features.Api;

/// <summary>
/// ASP.NET Core's rate limiter on the API's minting endpoint (<c>POST /api/sessions/{name}/connections</c>), per
/// signed-in user and per client address: every mint creates a session and a pending connection at OpenVidu, so a
/// script looping over call names must be slowed. Over the limit: 429 ProblemDetails with <c>Retry-After</c>.
/// A global limiter rather than a named policy because an endpoint takes one policy and this needs two partitions
/// (user and address); it only counts endpoints carrying <see cref="Marker"/>. It runs after authorization, so the
/// user is known (and anonymous callers got their 401 first).
/// </summary>
internal static class MintingRateLimit
{
    /// <summary>Endpoint metadata: this endpoint mints connections.</summary>
    public static readonly object Marker = new MintingEndpoint();

    public static void Configure(RateLimiterOptions options, RateLimitOptions limits)
    {
        options.GlobalLimiter = PartitionedRateLimiter.CreateChained(
            Partitioned(context => $"user:{context.User.Identity?.Name}", limits.ConnectionsPerUserPerMinute),
            Partitioned(context => $"address:{context.Connection.RemoteIpAddress}", limits.ConnectionsPerAddressPerMinute));
        options.OnRejected = async (context, cancellationToken) =>
        {
            var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
            var seconds = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            context.HttpContext.Response.Headers.RetryAfter = seconds;
            await TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                    detail: $"Too many new connections from you or your address. Wait {seconds} seconds and try again.")
                .ExecuteAsync(context.HttpContext);
        };
    }

    private static PartitionedRateLimiter<HttpContext> Partitioned(Func<HttpContext, string> key, int permits) =>
        PartitionedRateLimiter.Create<HttpContext, string>(context => context.GetEndpoint()?.Metadata.GetMetadata<MintingEndpoint>() is null
            ? RateLimitPartition.GetNoLimiter("")
            : RateLimitPartition.GetFixedWindowLimiter(key(context), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = Math.Max(1, permits),
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            }));

    private sealed class MintingEndpoint;
}
