using System.Globalization;
using Microsoft.Playwright;
using OpenViduEmulator;
using OpenViduEmulator.Testing;

/// <summary>
/// Memory per open call page: N headless Chromium pages (one browser context each, signed in) hold a Blazor circuit on
/// the call page, first idle on the join form, then all in one call. The app's resident memory is read from
/// /proc/&lt;pid&gt;/status before, idle and in the call; the difference divided by N is the cost per page.
/// </summary>
internal static class CircuitBench
{
    private static readonly string[] Users = ["publisher1", "publisher2", "moderator", "admin", "subscriber"];

    public static async Task<int> RunAsync(BenchOptions options, int pages)
    {
        // A page's socket may stay silent for 2 min, not OpenVidu's 15 s: ten Chromium pages on a loaded 2-core machine
        // sometimes miss their 5 s pings, and the emulator then evicts them (networkDisconnect; 8 of 10 listed, the run
        // stopped). This bench measures memory, not liveness.
        await using var emulator = await OpenViduEmulatorServer.StartAsync(new EmulatorOptions { PingTimeout = TimeSpan.FromMinutes(2) });
        // Development: static web assets (MudBlazor, openvidu-browser) are served from the build output's manifest.
        using var app = await AppProcess.StartAsync(options with { AppSettings = [.. options.AppSettings, "ASPNETCORE_ENVIRONMENT=Development"] }, emulator);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumOptions.ExecutablePath,
            Headless = true,
            Args = ChromiumOptions.Arguments(),
        });
        var baseUrl = app.BaseUrl.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);

        // Warm-up: one page through sign-in, the join form and a call, so JIT and first-use allocations are not counted.
        await using (var warm = await OpenAsync(browser, baseUrl, "publisher1"))
        {
            await JoinAsync(warm.Page, "warm-up", "warm");
        }

        await Task.Delay(3000);
        var baseline = app.ResidentKb();
        Console.WriteLine($"baseline after warm-up: {baseline / 1024} MB ({app.Memory()})");
        var dumps = Path.Combine(Path.GetTempPath(), $"ovss-gcdump-{DateTime.UtcNow:HHmmss}");
        var heapBaseline = await HeapSnapshot.CollectAsync(app.Pid, "0-pages", dumps);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"managed heap with no page open: {heapBaseline.TotalBytes / 1024.0 / 1024:F1} MB (gcdumps in {dumps})"));

        var open = new List<OpenPage>();
        for (var i = 0; i < pages; i++)
        {
            var page = await OpenAsync(browser, baseUrl, Users[i % Users.Length]);
            await page.Page.GotoAsync("/call");
            await page.Page.Locator("#session-name").WaitForAsync();
            open.Add(page);
        }

        await Task.Delay(3000);
        var idle = app.ResidentKb();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{pages} idle call pages (join form, circuit open): {idle / 1024} MB, +{(idle - baseline) / (double)pages:F0} kB per page"));
        (await HeapSnapshot.CollectAsync(app.Pid, $"{pages}-idle", dumps)).PrintGrowthOver(heapBaseline, pages, top: 15);

        for (var i = 0; i < open.Count; i++)
        {
            await open[i].Page.Locator("#session-name").FillAsync("memory");
            await open[i].Page.Locator("#nickname").FillAsync($"P{i}");
            await open[i].Page.GetByTestId("join-button").ClickAsync();
            await open[i].Page.GetByTestId("call-title").WaitForAsync(new() { Timeout = 120_000 });
        }

        try
        {
            // Every page, not only the last: a page whose connection dropped shows fewer people than the others.
            foreach (var page in open)
            {
                await Assertions.Expect(page.Page.GetByTestId("participant")).ToHaveCountAsync(pages, new() { Timeout = 120_000 });
            }
        }
        catch (PlaywrightException)
        {
            await DescribeAsync(open, dumps);
            throw;
        }

        await Task.Delay(5000);
        var inCall = app.ResidentKb();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{pages} pages in one call ({pages} participants): {inCall / 1024} MB, +{(inCall - baseline) / (double)pages:F0} kB per page over the baseline; {app.Memory()}"));
        (await HeapSnapshot.CollectAsync(app.Pid, $"{pages}-in-call", dumps)).PrintGrowthOver(heapBaseline, pages, top: 40);

        foreach (var page in open)
        {
            await page.DisposeAsync();
        }

        await Task.Delay(3000);
        Console.WriteLine($"after closing every page: {app.ResidentKb() / 1024} MB");
        return 0;
    }

    /// <summary>What each page shows when the call did not fill: how many people it lists, its notice, a screenshot.</summary>
    private static async Task DescribeAsync(List<OpenPage> open, string folder)
    {
        Directory.CreateDirectory(folder);
        for (var i = 0; i < open.Count; i++)
        {
            var page = open[i].Page;
            var listed = await page.GetByTestId("participant").CountAsync();
            var notice = await page.GetByTestId("call-notice").CountAsync() > 0 ? await page.GetByTestId("call-notice").First.InnerTextAsync() : "-";
            var visibility = await page.EvaluateAsync<string>("document.visibilityState");
            var shot = Path.Combine(folder, $"page-{i}.png");
            await page.ScreenshotAsync(new() { Path = shot, FullPage = true });
            Console.WriteLine($"page {i}: {listed} listed, {visibility}, notice: {notice.ReplaceLineEndings(" ")}, {shot}");
        }
    }

    private static async Task JoinAsync(IPage page, string session, string nickname)
    {
        await page.GotoAsync("/call");
        await page.Locator("#session-name").FillAsync(session);
        await page.Locator("#nickname").FillAsync(nickname);
        await page.GetByTestId("join-button").ClickAsync();
        await page.GetByTestId("call-title").WaitForAsync(new() { Timeout = 120_000 });
    }

    private static async Task<OpenPage> OpenAsync(IBrowser browser, string baseUrl, string userName)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl, Permissions = ["camera", "microphone"] });
        context.SetDefaultTimeout(120_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/Account/Login");
        await page.GetByLabel("User name").FillAsync(userName);
        await page.GetByLabel("Password").FillAsync("pass");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        try
        {
            await page.WaitForURLAsync(url => !url.Contains("/Account/Login", StringComparison.Ordinal), new() { Timeout = 120_000 });
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"{userName} did not get past sign-in: {page.Url}: {await page.InnerTextAsync("body")}");
        }

        return new OpenPage(context, page);
    }

    private sealed record OpenPage(IBrowserContext Context, IPage Page) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await Context.CloseAsync();
    }
}
