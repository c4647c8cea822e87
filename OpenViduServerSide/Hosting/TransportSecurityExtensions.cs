using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// What the app needs to know about the TLS in front of it. In containers a proxy terminates TLS and the app sees plain
/// HTTP, so the scheme and client address come from that proxy's X-Forwarded-* headers (trusted only from loopback and
/// the configured proxies), and the sign-in cookie is marked Secure whatever the request's scheme outside Development.
/// </summary>
public static class TransportSecurityExtensions
{
    public const string BehindTlsProxySetting = "Https:BehindTlsProxy";

    public static IHostApplicationBuilder AddTransportSecurity(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        // Parsed now, so a typo stops the app at start with the setting's name instead of silently trusting nobody.
        var proxies = (configuration.GetSection("ForwardedHeaders:KnownProxies").Get<string[]>() ?? [])
            .Select(p => IPAddress.TryParse(p, out var ip) ? ip
                : throw new InvalidOperationException($"The setting ForwardedHeaders:KnownProxies has '{p}', which is not an IP address."))
            .ToList();
        var networks = (configuration.GetSection("ForwardedHeaders:KnownNetworks").Get<string[]>() ?? [])
            .Select(n => System.Net.IPNetwork.TryParse(n, out var network) ? network
                : throw new InvalidOperationException($"The setting ForwardedHeaders:KnownNetworks has '{n}', which is not a network like 10.0.0.0/8."))
            .ToList();

        var services = builder.Services;
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            proxies.ForEach(options.KnownProxies.Add);
            networks.ForEach(options.KnownIPNetworks.Add);
        });

        if (!builder.Environment.IsDevelopment() && !builder.Environment.IsEnvironment("Testing"))
        {
            // Never let the auth cookie travel over plain HTTP, even when a misconfigured proxy hides the scheme.
            services.ConfigureApplicationCookie(options => options.Cookie.SecurePolicy = CookieSecurePolicy.Always);
        }

        if (configuration.GetValue<bool>(BehindTlsProxySetting))
        {
            services.AddHttpsRedirection(options => options.HttpsPort = configuration.GetValue<int?>("Https:Port") ?? 443);
        }

        return builder;
    }

    /// <summary>First in the pipeline: everything after it sees the browser's scheme and address.</summary>
    public static WebApplication UseTransportSecurity(this WebApplication app)
    {
        app.UseForwardedHeaders();
        if (app.Configuration.GetValue<bool>(BehindTlsProxySetting))
        {
            app.UseHsts();
            // Health probes and OpenVidu's webhooks come over the internal network in plain HTTP, not through the proxy.
            app.UseWhen(
                context => !context.Request.Path.StartsWithSegments("/health") && !context.Request.Path.StartsWithSegments(OpenViduServerSide.Features.Directory.OpenViduWebhook.Path),
                branch => branch.UseHttpsRedirection());
        }

        return app;
    }
}
