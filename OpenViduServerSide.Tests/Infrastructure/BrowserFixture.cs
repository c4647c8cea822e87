using Microsoft.Playwright;
using OpenViduEmulator.Testing;

[assembly: AssemblyFixture(typeof(OpenViduServerSide.Tests.Infrastructure.BrowserFixture))]

namespace OpenViduServerSide.Tests.Infrastructure;

/// <summary>
/// One headless Debian Chromium for the whole run (Playwright cannot download its own browser here), with a fake
/// camera, microphone and screen. Each test opens its own contexts, so cookies and pages never leak between tests.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = default!;

    public async ValueTask InitializeAsync()
    {
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumOptions.ExecutablePath,
            Headless = true,
            Args = ChromiumOptions.Arguments([.. ChromiumOptions.AutoSelectScreen, ChromiumOptions.AllowLoopbackInPeerConnection]),
        });
    }

    /// <summary>A fresh browser profile (own cookies) with camera and microphone allowed for the app.</summary>
    /// <param name="storageState">Cookies and storage of an earlier context (<c>StorageStateAsync()</c>): the same person's next browser.</param>
    public async Task<IBrowserContext> NewContextAsync(string baseUrl, string? storageState = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl,
            StorageState = storageState,
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            Permissions = ["camera", "microphone"],
        });
        context.SetDefaultTimeout(15_000);
        return context;
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
    }

    /// <summary>Where screenshots go: test-output/screenshots at the repository root.</summary>
    public static string ScreenshotPath(string name)
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "OpenViduServerSide.sln")))
        {
            folder = folder.Parent;
        }

        var target = Path.Combine(folder?.FullName ?? AppContext.BaseDirectory, "test-output", "screenshots");
        Directory.CreateDirectory(target);
        return Path.Combine(target, name + ".png");
    }
}
