using OpenViduServerSide.Front;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.SessionAffinity;
using Yarp.ReverseProxy.Transforms;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// YARP with one route to one cluster of app instances, built from <see cref="FrontOptions"/>: cookie affinity (a
/// circuit and its WebSocket stay on the instance that holds the circuit), active health checks on the app's /health
/// plus passive ones on failed forwards (a dead instance is skipped and its browsers' affinity moves to a live one),
/// X-Forwarded-For/Proto set from what the front saw (the app trusts them only from its known proxies) and the browser's
/// Host passed on.
/// </summary>
public static class FrontExtensions
{
    private const string ClusterId = "instances";

    public static IHostApplicationBuilder AddFront(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<FrontOptions>().BindConfiguration(FrontOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // Read now: YARP takes its routes and clusters at registration.
        var options = builder.Configuration.GetSection(FrontOptions.Section).Get<FrontOptions>() ?? new FrontOptions();

        builder.Services.AddReverseProxy()
            .LoadFromMemory([Route()], [Cluster(options)])
            .AddTransforms(context =>
            {
                if (options.InstanceHeader is { Length: > 0 } header)
                {
                    context.AddResponseTransform(transform =>
                    {
                        if (transform.HttpContext.GetReverseProxyFeature().ProxiedDestination is { } destination)
                        {
                            transform.HttpContext.Response.Headers[header] = destination.DestinationId;
                        }

                        return ValueTask.CompletedTask;
                    });
                }
            });
        return builder;
    }

    public static WebApplication MapFront(this WebApplication app)
    {
        app.MapReverseProxy();
        return app;
    }

    private static RouteConfig Route() => new()
    {
        RouteId = "app",
        ClusterId = ClusterId,
        Match = new RouteMatch { Path = "{**anything}" },
        Transforms =
        [
            // Set, not Append: what a browser claims in its own X-Forwarded-For never reaches the app.
            new Dictionary<string, string> { ["X-Forwarded"] = "Set" },
            // The browser's Host, not the instance's: the app's redirects and absolute links name the front.
            new Dictionary<string, string> { ["RequestHeaderOriginalHost"] = "true" },
        ],
    };

    private static ClusterConfig Cluster(FrontOptions options) => new()
    {
        ClusterId = ClusterId,
        LoadBalancingPolicy = LoadBalancingPolicies.RoundRobin,
        SessionAffinity = new SessionAffinityConfig
        {
            Enabled = true,
            Policy = SessionAffinityConstants.Policies.HashCookie,
            // The instance that held the browser is gone: pick a live one and move the cookie there.
            FailurePolicy = SessionAffinityConstants.FailurePolicies.Redistribute,
            AffinityKeyName = options.AffinityCookieName,
            Cookie = new SessionAffinityCookieConfig
            {
                HttpOnly = true,
                IsEssential = true,
                SameSite = SameSiteMode.Lax,
                SecurePolicy = CookieSecurePolicy.SameAsRequest,
            },
        },
        HealthCheck = new HealthCheckConfig
        {
            Active = new ActiveHealthCheckConfig
            {
                Enabled = true,
                Interval = options.HealthCheckInterval,
                Timeout = options.HealthCheckTimeout,
                Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
                Path = options.HealthPath,
            },
            // A forward that cannot connect marks the instance down before the next probe; a probe brings it back.
            Passive = new PassiveHealthCheckConfig
            {
                Enabled = true,
                Policy = HealthCheckConstants.PassivePolicy.TransportFailureRate,
                ReactivationPeriod = options.HealthCheckInterval,
            },
        },
        Destinations = options.Instances.ToDictionary(
            instance => instance.Key,
            instance => new DestinationConfig { Address = instance.Value }),
    };
}
