using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Accounts;

/// <summary>The sign-in cookie behind a TLS-terminating proxy, in production, and in plain-HTTP development.</summary>
public sealed class TransportSecurityTests
{
    private const string AuthCookie = ".AspNetCore.Identity.Application=";

    [Fact]
    public async Task SignInThroughATlsProxyGetsASecureCookie()
    {
        await using var app = await EmulatedApp.StartAsync(new EmulatedAppOptions { Kestrel = true });
        // The proxy (loopback here, trusted by default) says the browser used HTTPS.
        using var http = new HttpClient(new ForwardedHttpsOnPost { InnerHandler = new HttpClientHandler { AllowAutoRedirect = false } })
        {
            BaseAddress = new Uri(app.BaseUrl),
        };

        using var response = await LoginFlow.PostLoginAsync(http, "publisher1", "pass");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("; secure", AuthCookieOf(response), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task OutsideDevelopmentTheSignInCookieIsSecureEvenOverPlainHttp()
    {
        await using var factory = new AppFactory();
        await using var production = factory.WithWebHostBuilder(b => b.UseEnvironment("Production"));
        var client = production.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        using var response = await LoginFlow.PostLoginAsync(client, "publisher1", "pass");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("; secure", AuthCookieOf(response), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SigningInOverPlainHttpInDevelopmentWorksWithAnOrdinaryCookie()
    {
        await using var factory = new AppFactory();
        await using var development = factory.WithWebHostBuilder(b => b.UseEnvironment("Development"));
        var client = development.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        using var response = await LoginFlow.PostLoginAsync(client, "publisher1", "pass");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.DoesNotContain("; secure", AuthCookieOf(response), StringComparison.OrdinalIgnoreCase);
        using var home = await client.GetAsync("/", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
    }

    [Fact]
    public async Task BehindATlsProxyPlainPageRequestsAreRedirectedButProbesAndWebhooksAreNot()
    {
        await using var app = new AppFactory(settings: new Dictionary<string, string?> { ["Https:BehindTlsProxy"] = "true" });
        var client = app.CreateBrowserLikeClient();
        var ct = TestContext.Current.CancellationToken;

        using var page = await client.GetAsync("/Account/Login", ct);
        using var probe = await client.GetAsync("/health", ct);
        using var webhook = await client.PostAsync("/openvidu/webhook", new StringContent("{}"), ct);

        Assert.True(page.StatusCode is HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect, page.StatusCode.ToString());
        Assert.Equal("https", page.Headers.Location?.Scheme);
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        // Refused for its missing header, not redirected: OpenVidu posts over the internal network in plain HTTP.
        Assert.Equal(HttpStatusCode.Unauthorized, webhook.StatusCode);
    }

    private static string AuthCookieOf(HttpResponseMessage response) =>
        Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(AuthCookie, StringComparison.Ordinal));

    /// <summary>Marks only the sign-in POST as forwarded HTTPS, so the client still sends the antiforgery cookie it got over HTTP.</summary>
    private sealed class ForwardedHttpsOnPost : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Post)
            {
                request.Headers.Add("X-Forwarded-Proto", "https");
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
