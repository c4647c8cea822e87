using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Playwright;
using OpenViduEmulator;
using OpenViduEmulator.Testing;

/// <summary>
/// Real media: for each publisher count N, the emulator in Janus mode, the app pointed at it, and N headless Chromium
/// pages (fake camera) joining one call one after another. Per joining page: the time from the click on Join until
/// every remote tile's &lt;video&gt; has a width and a presented frame, measured in the page. With everyone in the call,
/// a fixed window measures the frames presented on every remote tile (fps) and Janus's CPU (utime + stime). Must run
/// inside tools/in-media-netns.sh: Janus gathers no ICE candidates on loopback interfaces.
/// </summary>
internal static class MediaBench
{
    // The demo users allowed to publish; at most four pages, which is what 2 cores carry.
    private static readonly string[] Publishers = ["publisher1", "publisher2", "moderator", "admin"];

    private static readonly TimeSpan Window = TimeSpan.FromSeconds(5);
    private const float StepTimeoutMs = 30_000;

    // The User Timing marks openvidu-interop.js sets during a join ('openvidu-join:' + name), in order.
    private static readonly string[] JoinMarks = ["start", "library", "connected", "camera-open", "published"];

    // Records performance.now() when a click on the Join button reaches the page (capture phase, before Blazor sees
    // it), so the clock starts at the click itself and not when Playwright's round trip returns.
    private const string ArmClock = """
        () => {
          window.__benchT0 = undefined;
          window.__benchInCall = undefined;
          performance.clearMarks();
          if (!window.__benchListening) {
            window.__benchListening = true;
            window.addEventListener('click', e => {
              if (e.target instanceof Element && e.target.closest('[data-testid=join-button]')) window.__benchT0 ??= performance.now();
            }, { capture: true });
          }
        }
        """;

    // True once at least `expected` remote tiles exist and each one's video has a width and at least one presented
    // frame; the page's own tile says "(you)" and is left out.
    private const string RemotesPlaying = """
        expected => {
          const tiles = [...document.querySelectorAll('[data-testid=video-grid] [data-testid=video-tile]')]
            .filter(t => !(t.querySelector('[data-testid=tile-username]')?.textContent ?? '').endsWith('(you)'));
          if (tiles.length < expected) return false;
          for (const t of tiles) {
            const v = t.querySelector('video');
            if (!v || v.videoWidth === 0 || v.getVideoPlaybackQuality().totalVideoFrames === 0) return false;
          }
          return true;
        }
        """;

    // Once every remote tile plays: [ms from the click to the call view (the app has the token, the browser is
    // connected), ms from the click to every remote frame, then ms from the click to the page's join marks (JoinMarks,
    // NaN when not reached)]; falsy before, so WaitForFunction keeps polling. Polled
    // on every animation frame, so each figure is within one frame (~16 ms) of its moment.
    private const string RemoteFramesSinceClick = """
        expected => {
          const t0 = window.__benchT0;
          if (t0 === undefined) return false;
          if (document.querySelector('[data-testid=call-title]')) window.__benchInCall ??= performance.now() - t0;
          if (!(
        """ + RemotesPlaying + """
        )(expected)) return false;
          const mark = step => (performance.getEntriesByName('openvidu-join:' + step).at(-1)?.startTime ?? NaN) - t0;
          return [window.__benchInCall ?? NaN, Math.max(performance.now() - t0, 0.001), mark('start'), mark('library'), mark('connected'), mark('camera-open'), mark('published')];
        }
        """;

    // Frames presented so far by every remote tile's video on this page.
    private const string RemoteFrameCounts = """
        () => [...document.querySelectorAll('[data-testid=video-grid] [data-testid=video-tile]')]
          .filter(t => !(t.querySelector('[data-testid=tile-username]')?.textContent ?? '').endsWith('(you)'))
          .map(t => t.querySelector('video')?.getVideoPlaybackQuality().totalVideoFrames ?? 0)
        """;

    public static async Task<int> RunAsync(BenchOptions options, IReadOnlyList<int> counts, int rounds)
    {
        if (Environment.GetEnvironmentVariable("IN_MEDIA_NETNS") != "1")
        {
            Console.Error.WriteLine("--media needs the private network namespace: tools/in-media-netns.sh dotnet <bench dll> --media 2,3,4");
            return 2;
        }

        if (counts.Any(n => n < 2 || n > Publishers.Length))
        {
            Console.Error.WriteLine($"--media: each publisher count must be 2 to {Publishers.Length}");
            return 2;
        }

        var culture = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(culture, $"media bench: N = {string.Join(",", counts)}, {rounds} rounds each (+1 warm-up round), {Window.TotalSeconds:F0} s window, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load {File.ReadAllText("/proc/loadavg").Trim()}"));
        using var playwright = await Playwright.CreateAsync();
        var rows = new List<Row>();
        foreach (var n in counts)
        {
            rows.Add(await RunOneAsync(options, playwright, n, rounds));
        }

        Console.WriteLine();
        Console.WriteLine("| publishers N | samples | join → first remote frame p50 ms | p95 ms | max ms | join → call view p50 ms | → join called / library loaded / connected / camera open / camera published p50 ms | warm-up round ms | decoded fps per remote tile (mean / min) | Janus CPU % of one core per stream |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: |");
        foreach (var r in rows)
        {
            Console.WriteLine(string.Create(culture,
                $"| {r.N} | {r.Samples.Count} | {P(r.Samples, 0.50):F0} | {P(r.Samples, 0.95):F0} | {r.Samples.Max():F0} | {P(r.InCall, 0.50):F0} | {string.Join(" / ", r.Marks.Select(m => P(m, 0.50).ToString("F0", culture)))} | {string.Join(" / ", r.WarmUp.Select(w => w.ToString("F0", culture)))} | {r.Fps.Average():F1} / {r.Fps.Min():F1} | {r.JanusCpuPerStream.Average():F1} |"));
        }

        Console.WriteLine($"load after: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }

    private static async Task<Row> RunOneAsync(BenchOptions options, IPlaywright playwright, int n, int rounds)
    {
        var culture = CultureInfo.InvariantCulture;
        var before = JanusPids();
        await using var emulator = await OpenViduEmulatorServer.StartAsync(new EmulatorOptions { MediaPlane = MediaPlane.Janus });
        var janus = FindOurJanus(before);
        // Development: static web assets (MudBlazor, openvidu-browser) are served from the build output's manifest.
        using var app = await AppProcess.StartAsync(options with { AppSettings = [.. options.AppSettings, "ASPNETCORE_ENVIRONMENT=Development"] }, emulator);
        Console.WriteLine($"N={n}: emulator {emulator.BaseUrl}, Janus pid {janus}, app {app.BaseUrl} (pid {app.Pid})");
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumOptions.ExecutablePath,
            Headless = true,
            Timeout = StepTimeoutMs,
            Args = ChromiumOptions.Arguments(ChromiumOptions.AllowLoopbackInPeerConnection, ChromiumOptions.AutoplayWithoutGesture),
        });
        // localhost, not 127.0.0.1: the same origin the app's own tests use for camera permissions.
        var baseUrl = app.BaseUrl.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        var pages = new List<IPage>();
        for (var i = 0; i < n; i++)
        {
            pages.Add(await SignInAsync(browser, baseUrl, Publishers[i]));
        }

        var row = new Row(n);
        // Round 0 warms the app, Janus and Chromium up (first-use JIT, codecs); it is printed but not counted.
        for (var round = 0; round <= rounds; round++)
        {
            var session = $"media-{n}-{round}";
            var times = new List<double>();
            var inCall = new List<double>();
            var marks = new List<double[]>();
            for (var i = 0; i < n; i++)
            {
                var page = pages[i];
                await page.GotoAsync("/call");
                await page.Locator("#session-name").FillAsync(session);
                await page.Locator("#nickname").FillAsync($"P{i + 1}");
                await page.EvaluateAsync(ArmClock);
                await page.GetByTestId("join-button").ClickAsync();
                // The first joiner has no one to see; every later one waits for the i pages already in the call.
                var handle = await page.WaitForFunctionAsync(RemoteFramesSinceClick, i, new() { Timeout = StepTimeoutMs });
                var ms = await handle.JsonValueAsync<double[]>();
                if (i > 0)
                {
                    inCall.Add(ms[0]);
                    marks.Add(ms[2..]);
                    times.Add(ms[1]);
                }
            }

            // Everyone sees everyone (the last joiner saw all; check the earlier ones too), then the fixed window.
            for (var i = 0; i < n; i++)
            {
                await pages[i].WaitForFunctionAsync(RemotesPlaying, n - 1, new() { Timeout = StepTimeoutMs });
            }

            var framesBefore = await FrameCountsAsync(pages);
            var janusBefore = Ticks(janus);
            var clock = Stopwatch.StartNew();
            await Task.Delay(Window); // The measuring window itself, not a wait for a condition.
            var janusAfter = Ticks(janus);
            var framesAfter = await FrameCountsAsync(pages);
            var seconds = clock.Elapsed.TotalSeconds;
            var fps = framesBefore.Zip(framesAfter, (b, a) => b.Zip(a, (x, y) => (y - x) / seconds)).SelectMany(f => f).ToList();
            // USER_HZ = 100: a tick is 10 ms; % of one core = CPU ms / wall ms * 100, per published stream.
            var cpuPerStream = (janusAfter - janusBefore) * 10.0 / (seconds * 1000) * 100 / n;

            Console.WriteLine(string.Create(culture,
                $"  round {round}{(round == 0 ? " (warm-up, not counted)" : "")}: join → first remote frame ms [{string.Join(", ", times.Select(t => t.ToString("F0", culture)))}] (→ call view [{string.Join(", ", inCall.Select(t => t.ToString("F0", culture)))}]; → join called / library / connected / camera open / published [{string.Join(", ", marks.Select(m => string.Join("/", m.Select(t => t.ToString("F0", culture)))))}]); fps per remote tile [{string.Join(", ", fps.Select(f => f.ToString("F1", culture)))}]; Janus {cpuPerStream:F1} % of a core per stream"));
            if (round == 0)
            {
                row.WarmUp.AddRange(times);
            }
            else
            {
                row.Samples.AddRange(times);
                row.InCall.AddRange(inCall);
                for (var m = 0; m < JoinMarks.Length; m++)
                {
                    row.Marks[m].AddRange(marks.Select(x => x[m]).Where(double.IsFinite));
                }
                row.Fps.AddRange(fps);
                row.JanusCpuPerStream.Add(cpuPerStream);
            }

            foreach (var page in pages)
            {
                await page.GetByTestId("leave").ClickAsync();
                await page.GetByTestId("join-button").WaitForAsync(new() { Timeout = StepTimeoutMs });
            }
        }

        foreach (var page in pages)
        {
            await page.Context.CloseAsync();
        }

        return row;
    }

    private static async Task<List<int[]>> FrameCountsAsync(List<IPage> pages)
    {
        var counts = new List<int[]>();
        foreach (var page in pages)
        {
            counts.Add(await page.EvaluateAsync<int[]>(RemoteFrameCounts));
        }

        return counts;
    }

    private static async Task<IPage> SignInAsync(IBrowser browser, string baseUrl, string userName)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl, Permissions = ["camera", "microphone"] });
        context.SetDefaultTimeout(StepTimeoutMs);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/Account/Login");
        await page.GetByLabel("User name").FillAsync(userName);
        await page.GetByLabel("Password").FillAsync("pass");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/Account/Login", StringComparison.Ordinal));
        return page;
    }

    private static double P(List<double> sorted, double q)
    {
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var ordered = sorted.Order().ToArray();
        return ordered[Math.Min(ordered.Length - 1, (int)Math.Ceiling(q * ordered.Length) - 1)];
    }

    /// <summary>
    /// The Janus this emulator started: a new <c>janus</c> process whose config folder is an emulator's temp folder
    /// and whose parent is this process (the emulator runs in-process and starts <c>setsid janus</c>, which becomes
    /// janus). The network namespace does not hide other processes, so other Janus instances may be running.
    /// </summary>
    private static int FindOurJanus(HashSet<int> before)
    {
        var mine = JanusPids().Where(p => !before.Contains(p) && ParentPid(p) == Environment.ProcessId).ToList();
        return mine.Count == 1 ? mine[0] : throw new InvalidOperationException($"expected one new Janus child of this process, found {mine.Count}");
    }

    private static HashSet<int> JanusPids()
    {
        var found = new HashSet<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var args = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(dir, "cmdline"))).Split('\0');
                var folder = Array.IndexOf(args, "-F") is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
                if (args[0].EndsWith("janus", StringComparison.Ordinal) && folder?.Contains("ov-emulator-janus-", StringComparison.Ordinal) == true)
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked, or is not ours to read.
            }
        }

        return found;
    }

    private static string[] StatFields(int pid)
    {
        // Fields after the command name (which may hold spaces): state is [0], ppid [1], utime [11], stime [12].
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }

    private static int ParentPid(int pid)
    {
        try
        {
            return int.Parse(StatFields(pid)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static long Ticks(int pid)
    {
        var fields = StatFields(pid);
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    private sealed class Row(int n)
    {
        public int N { get; } = n;

        public List<double> Samples { get; } = [];

        public List<double> InCall { get; } = [];

        /// <summary>The page's own join marks (User Timing, <see cref="JoinMarks"/>), ms from the click; absent in builds without them.</summary>
        public List<double>[] Marks { get; } = [.. JoinMarks.Select(_ => new List<double>())];

        public List<double> WarmUp { get; } = [];

        public List<double> Fps { get; } = [];

        public List<double> JanusCpuPerStream { get; } = [];
    }
}
