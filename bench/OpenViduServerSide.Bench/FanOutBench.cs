using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using OpenViduEmulator;
using OpenViduEmulator.Testing;

/// <summary>
/// Fan-out of one join: P headless Chromium pages (no media) hold a circuit on the live calls page (/admin/sessions,
/// subscribed to every change of the directory, as the call page's participant list is to its call). A join through
/// the API (POST a connection with a nickname no page has seen) is timed from the moment the request is sent until each
/// page shows a row with that nickname (the directory tells the pages when the token is minted, before the API has
/// answered, so the answer is no fair origin): a MutationObserver in each page stamps the wall clock (performance.timeOrigin + now, the
/// same system clock the bench reads) when the row appears. The connection is then deleted and the bench waits until
/// every page has dropped the row. The app's CPU (utime + stime from /proc) over the joins, divided by joins and pages,
/// says whether the server's work per page stays flat as P grows.
/// </summary>
internal static class FanOutBench
{
    private static readonly int[] WarmUpPages = [2];

    public static async Task<int> RunAsync(BenchOptions options, IReadOnlyList<int> pageCounts, int joins)
    {
        await using var emulator = await OpenViduEmulatorServer.StartAsync();
        using var app = await AppProcess.StartAsync(options with { AppSettings = [.. options.AppSettings, "ASPNETCORE_ENVIRONMENT=Development"] }, emulator);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumOptions.ExecutablePath,
            Headless = true,
            // Background pages must keep running their timers and observers like a foreground one.
            Args = [.. ChromiumOptions.Arguments(), "--disable-renderer-backgrounding", "--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows"],
        });
        var baseUrl = app.BaseUrl.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = await BearerAsync(http, "admin");

        // One signed-in context (the cookie), one page (so one circuit) per listener.
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl });
        context.SetDefaultTimeout(60_000);
        var signIn = await context.NewPageAsync();
        await signIn.GotoAsync("/Account/Login");
        await signIn.GetByLabel("User name").FillAsync("admin");
        await signIn.GetByLabel("Password").FillAsync("pass");
        await signIn.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await signIn.WaitForURLAsync(url => !url.Contains("/Account/Login", StringComparison.Ordinal));
        await signIn.CloseAsync();

        var pages = new List<IPage>();
        // Warm-up joins with a few pages first, so first-use JIT is not in the figures.
        foreach (var count in WarmUpPages.Concat(pageCounts))
        {
            while (pages.Count < count)
            {
                var page = await context.NewPageAsync();
                await page.GotoAsync("/admin/sessions");
                await page.GetByTestId("no-live-calls").Or(page.GetByTestId("live-call")).First.WaitForAsync();
                pages.Add(page);
            }

            var warmUp = count == 2 && !pageCounts.Contains(2);
            var samples = new List<double>();
            var answers = new List<double>();
            long cpuMs = 0;
            var rounds = warmUp ? 5 : joins;
            for (var j = 0; j < rounds; j++)
            {
                var nickname = $"fan{count}x{j}";
                var seen = pages.Select(p => p.EvaluateAsync<double>(WaitForRowScript, nickname)).ToList();
                // Every observer is installed (each EvaluateAsync has started its script) before the join.
                await Task.WhenAll(pages.Select(p => p.EvaluateAsync<bool>("() => window.__fanOutReady === true")));
                var before = CpuMs(app.Pid);
                var (connectionId, sentAt, answeredAt) = await JoinAsync(http, nickname);
                var stamps = await Task.WhenAll(seen);
                samples.AddRange(stamps.Select(s => s - sentAt));
                answers.Add(answeredAt - sentAt);
                var gone = pages.Select(p => p.GetByText(nickname, new() { Exact = true })).ToList();
                using (var delete = await http.DeleteAsync($"/api/sessions/fanout/connections/{connectionId}"))
                {
                    delete.EnsureSuccessStatusCode();
                }

                foreach (var row in gone)
                {
                    await Assertions.Expect(row).ToHaveCountAsync(0, new() { Timeout = 60_000 });
                }

                cpuMs += CpuMs(app.Pid) - before;
            }

            samples.Sort();
            answers.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(warmUp ? "warm-up " : "")}{count} pages, {rounds} joins: join sent → row shown p50 {Percentile(samples, 0.50):F0} ms, p95 {Percentile(samples, 0.95):F0} ms, max {samples[^1]:F0} ms (the API answered in p50 {Percentile(answers, 0.50):F0} ms); " +
                $"app CPU {cpuMs / (double)rounds:F1} ms per join + leave, {cpuMs / (double)rounds / count:F2} ms per page"));
        }

        foreach (var page in pages)
        {
            await page.CloseAsync();
        }

        await context.CloseAsync();
        return 0;
    }

    // Resolves with the wall-clock time (ms since the epoch) at which a live-participant row shows the nickname.
    private const string WaitForRowScript = """
        nickname => new Promise(resolve => {
            const has = () => [...document.querySelectorAll('[data-testid="live-participant"] td:first-child')].some(td => td.textContent.trim() === nickname);
            const stamp = () => performance.timeOrigin + performance.now();
            if (has()) { resolve(stamp()); return; }
            const observer = new MutationObserver(() => { if (has()) { observer.disconnect(); resolve(stamp()); } });
            observer.observe(document.body, { childList: true, subtree: true, characterData: true });
            window.__fanOutReady = true;
        })
        """;

    private static async Task<(string ConnectionId, double SentAt, double AnsweredAt)> JoinAsync(HttpClient http, string nickname)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/sessions/fanout/connections")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { nickname }), Encoding.UTF8, "application/json"),
        };
        var sentAt = (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;
        using var response = await http.SendAsync(request);
        var answeredAt = (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"join answered {(int)response.StatusCode}: {body}");
        }

        using var json = JsonDocument.Parse(body);
        return (json.RootElement.GetProperty("connectionId").GetString()!, sentAt, answeredAt);
    }

    private static async Task<AuthenticationHeaderValue> BearerAsync(HttpClient http, string user)
    {
        using var response = await http.PostAsync("/api/auth/token",
            new StringContent($$"""{"userName":"{{user}}","password":"pass"}""", Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return new AuthenticationHeaderValue("Bearer", json.RootElement.GetProperty("accessToken").GetString());
    }

    /// <summary>utime + stime of a process in ms (fields 14 and 15 of /proc/&lt;pid&gt;/stat, USER_HZ 100).</summary>
    private static long CpuMs(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10;
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
