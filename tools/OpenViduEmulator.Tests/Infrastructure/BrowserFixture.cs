using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace OpenViduEmulator.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium driven by Playwright, plus a tiny page server for the test page and the official
/// openvidu-browser bundle. The page is opened as http://localhost:PORT (a secure origin, so getUserMedia works).
/// </summary>
public class BrowserFixture : IAsyncLifetime
{
    private WebApplication? pageServer;
    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    public string PageUrl { get; private set; } = "";

    /// <summary>Chromium flags added to the common ones.</summary>
    protected virtual IEnumerable<string> ExtraArguments => [];

    public virtual async ValueTask InitializeAsync()
    {
        await NpmPackages.EnsureInstalledAsync();
        pageServer = await StartPageServerAsync();
        var address = new Uri(pageServer.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        PageUrl = $"http://localhost:{address.Port}/";

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumOptions.ExecutablePath,
            Headless = true,
            Args = ChromiumOptions.Arguments(ExtraArguments),
        });
    }

    /// <summary>A fresh browser context (its own cookies and media) with the test page loaded.</summary>
    public async Task<IPage> OpenPageAsync()
    {
        var context = await Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync(PageUrl);
        await page.WaitForFunctionAsync("() => typeof OpenVidu === 'function'");
        return page;
    }

    private static async Task<WebApplication> StartPageServerAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        var page = Path.Combine(NpmPackages.ProjectDirectory, "Browser", "test-page.html");
        app.Run(async ctx =>
        {
            var (file, type) = ctx.Request.Path.Value switch
            {
                "/" => (page, "text/html; charset=utf-8"),
                "/openvidu-browser.js" => (NpmPackages.BrowserBundle, "text/javascript"),
                _ => (null, null),
            };
            if (file is null)
            {
                ctx.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            ctx.Response.ContentType = type;
            await ctx.Response.SendFileAsync(file);
        });
        await app.StartAsync();
        return app;
    }

    public virtual async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
        if (pageServer is not null)
        {
            await pageServer.DisposeAsync();
        }
    }
}

/// <summary>Chromium for real WebRTC through Janus: ICE may use loopback addresses (127.0.0.1 / 127.0.0.2 on jn0).</summary>
public sealed class MediaBrowserFixture : BrowserFixture
{
    protected override IEnumerable<string> ExtraArguments => [ChromiumOptions.AllowLoopbackInPeerConnection, ChromiumOptions.AutoplayWithoutGesture];
}
