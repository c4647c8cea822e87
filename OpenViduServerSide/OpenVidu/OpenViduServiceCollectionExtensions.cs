using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using OpenViduServerSide.OpenVidu;

namespace Microsoft.Extensions.DependencyInjection;

public static class OpenViduServiceCollectionExtensions
{
    /// <summary>Options validated at start, the typed REST client with auth and resilience, and the readiness check.</summary>
    public static IHostApplicationBuilder AddOpenVidu(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<OpenViduOptions>()
            .BindConfiguration(OpenViduOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.Url.Length == 0 || Uri.TryCreate(o.Url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https",
                "The setting OpenVidu:Url must be an absolute http or https URL, e.g. http://localhost:4443.")
            .ValidateOnStart();

        services.AddTransient<OpenViduAuthHandler>();
        services.AddHttpClient<OpenViduClient>((sp, http) =>
            {
                http.BaseAddress = sp.GetRequiredService<IOptions<OpenViduOptions>>().Value.BaseUri;
                // The resilience pipeline owns timeouts.
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                SslOptions = sp.GetRequiredService<IOptions<OpenViduOptions>>().Value.AcceptSelfSignedCertificate
#pragma warning disable CA5359 // Opt-in, off by default: for development installs with a self-signed certificate (contract P6).
                    ? new() { RemoteCertificateValidationCallback = (_, _, _, _) => true }
#pragma warning restore CA5359
                    : new(),
            })
            .AddHttpMessageHandler<OpenViduAuthHandler>()
            // The factory's request logging is off in appsettings (Warning), yet its handlers opened a logging scope per
            // request; OpenViduClient logs OpenVidu's failures itself, and Polly its retries.
            .RemoveAllLoggers()
            .AddStandardResilienceHandler()
            .Configure((resilience, sp) =>
            {
                var timeout = sp.GetRequiredService<IOptions<OpenViduOptions>>().Value.Timeout;
                resilience.TotalRequestTimeout.Timeout = timeout;
                // GETs are retried, so each attempt gets a slice of the total; POST and DELETE get one attempt, and
                // cutting it short would report "unavailable" for a create OpenVidu is still carrying out.
                var safeAttempt = timeout < TimeSpan.FromSeconds(3) ? timeout : TimeSpan.FromSeconds(3);
                resilience.AttemptTimeout.Timeout = safeAttempt;
                resilience.AttemptTimeout.TimeoutGenerator = args =>
                    ValueTask.FromResult(IsRetried(args.Context.GetRequestMessage()?.Method) ? safeAttempt : timeout);
                resilience.Retry.Delay = TimeSpan.FromMilliseconds(200);
                // Creating sessions and connections is not idempotent (a retry could mint a second token): only GETs are retried.
                resilience.Retry.DisableForUnsafeHttpMethods();
            });

        services.AddHealthChecks().AddCheck<OpenViduHealthCheck>("openvidu", tags: ["ready"]);
        return builder;
    }

    private static bool IsRetried(HttpMethod? method) => method == HttpMethod.Get || method == HttpMethod.Head;
}
