using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using OpenViduEmulator;

// Load generator: the app's join flow (POST a connection, then DELETE it) against the emulator alone and through the
// app, in three scenarios. Loopback only; every phase is bounded in time. See bench/README.md.
var options = BenchOptions.Parse(args);
if (Array.IndexOf(args, "--circuits") is var at and >= 0)
{
    return await CircuitBench.RunAsync(options, at + 1 < args.Length && int.TryParse(args[at + 1], out var n) ? n : 10);
}

if (args.Contains("--scale"))
{
    // --scale: one instance vs two of one deployment, and the propagation between them; --redis host:port or OVSS_TEST_REDIS.
    var redis = Array.IndexOf(args, "--redis") is var redisAt and >= 0 && redisAt + 1 < args.Length ? args[redisAt + 1]
        : Environment.GetEnvironmentVariable("OVSS_TEST_REDIS") ?? throw new InvalidOperationException("--scale needs Redis: --redis host:port, or run through tools/with-test-servers.sh.");
    var samples = Array.IndexOf(args, "--samples") is var samplesAt and >= 0 && samplesAt + 1 < args.Length ? int.Parse(args[samplesAt + 1], CultureInfo.InvariantCulture) : 300;
    return await ScaleBench.RunAsync(options, redis, samples);
}

if (Array.IndexOf(args, "--fanout") is var fanAt and >= 0)
{
    // --fanout 10,25,50: live-calls pages (circuits) per step; --joins J: timed joins per step. See FanOutBench.
    var pageCounts = fanAt + 1 < args.Length ? args[fanAt + 1].Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToList() : [10, 25, 50];
    var joins = Array.IndexOf(args, "--joins") is var joinsAt and >= 0 && joinsAt + 1 < args.Length ? int.Parse(args[joinsAt + 1], CultureInfo.InvariantCulture) : 10;
    return await FanOutBench.RunAsync(options, pageCounts, joins);
}

if (Array.IndexOf(args, "--media") is var mediaAt and >= 0)
{
    // --media 2,3,4: publisher counts; real media through Janus (run inside tools/in-media-netns.sh).
    var counts = mediaAt + 1 < args.Length ? args[mediaAt + 1].Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToList() : [2, 3, 4];
    // --rounds R: leave-and-rejoin rounds per N after the warm-up round.
    var rounds = Array.IndexOf(args, "--rounds") is var roundsAt and >= 0 && roundsAt + 1 < args.Length ? int.Parse(args[roundsAt + 1], CultureInfo.InvariantCulture) : 3;
    return await MediaBench.RunAsync(options, counts, rounds);
}

if (args.Contains("--versus-peer"))
{
    // --versus-peer: the app against OpenVidu's minimal .NET backend (PeerBench.cs); --rounds R; --app LABEL=FOLDER
    // (repeatable: e.g. a build of the commit before a change and a `dotnet publish` output, measured in one run; without
    // it, the build output as "app").
    var peerRounds = Array.IndexOf(args, "--rounds") is var peerRoundsAt and >= 0 && peerRoundsAt + 1 < args.Length ? int.Parse(args[peerRoundsAt + 1], CultureInfo.InvariantCulture) : 2;
    // FOLDER may end with ;KEY=VALUE settings for that app alone (e.g. ;DOTNET_TieredPGO=0).
    var apps = new List<PeerBench.App>();
    for (var i = 0; i + 1 < args.Length; i++)
    {
        if (args[i] == "--app" && args[i + 1].Split('=', 2) is [var label, var folderAndSettings])
        {
            var parts = folderAndSettings.Split(';');
            apps.Add(new PeerBench.App(label, Path.GetFullPath(parts[0]), parts[1..]));
        }
    }

    return await PeerBench.RunAsync(options, peerRounds, apps.Count > 0 ? apps : [new PeerBench.App("app", null, [])]);
}

var culture = CultureInfo.InvariantCulture;
Console.WriteLine(string.Create(culture, $"bench: concurrency {options.Concurrency}, {options.Seconds} s per run (+{options.WarmupSeconds} s warm-up), {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC"));

await using var emulator = await OpenViduEmulatorServer.StartAsync();
using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10), MaxConnectionsPerServer = 256 })
{
    Timeout = TimeSpan.FromSeconds(30),
};
var basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("OPENVIDUAPP:" + emulator.Secret)));
var ovApi = emulator.BaseUrl + "/openvidu/api/";

using var app = await AppProcess.StartAsync(options, emulator);
Cpu.AppPid = app.Pid;
var appBase = app.BaseUrl;
Console.WriteLine($"emulator {emulator.BaseUrl}; app {appBase} (pid {app.Pid}); after start: {app.Memory()}");

// Bearer tokens for the users that may publish (the demo users; the bench creates none).
string[] users = ["publisher1", "publisher2", "moderator", "admin"];
var bearers = new AuthenticationHeaderValue[users.Length];
for (var i = 0; i < users.Length; i++)
{
    using var response = await http.PostAsync(appBase + "/api/auth/token",
        new StringContent($$"""{"userName":"{{users[i]}}","password":"pass"}""", Encoding.UTF8, "application/json"));
    response.EnsureSuccessStatusCode();
    using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    bearers[i] = new AuthenticationHeaderValue("Bearer", json.RootElement.GetProperty("accessToken").GetString());
}

Console.WriteLine($"signed in {users.Length} users with bearer tokens");

// One join = POST connection (token) then DELETE connection. "Direct" is what a backend must do at least.
async Task<string> DirectCreateAsync(string session, bool ensureSession)
{
    if (ensureSession)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, ovApi + "sessions") { Content = Json($$"""{"customSessionId":"{{session}}"}""") };
        create.Headers.Authorization = basic;
        using var created = await http.SendAsync(create);
        if (created.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Conflict))
        {
            throw new InvalidOperationException($"POST /sessions answered {created.StatusCode}");
        }
    }

    using var request = new HttpRequestMessage(HttpMethod.Post, ovApi + $"sessions/{session}/connection")
    {
        Content = Json("""{"type":"WEBRTC","role":"PUBLISHER","data":"{\"serverData\":\"bench\",\"kind\":\"camera\"}"}"""),
    };
    request.Headers.Authorization = basic;
    return await ReadIdAsync(await http.SendAsync(request), "id");
}

async Task DirectDeleteAsync(string session, string connectionId)
{
    using var request = new HttpRequestMessage(HttpMethod.Delete, ovApi + $"sessions/{session}/connection/{connectionId}");
    request.Headers.Authorization = basic;
    using var response = await http.SendAsync(request);
    Check(response, HttpStatusCode.NoContent);
}

async Task<string> AppCreateAsync(string session, int client)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, appBase + $"/api/sessions/{session}/connections")
    {
        Content = Json("""{"nickname":"bench","kind":"camera"}"""),
    };
    request.Headers.Authorization = bearers[client % bearers.Length];
    return await ReadIdAsync(await http.SendAsync(request), "connectionId");
}

async Task AppDeleteAsync(string session, string connectionId, int client)
{
    using var request = new HttpRequestMessage(HttpMethod.Delete, appBase + $"/api/sessions/{session}/connections/{connectionId}");
    request.Headers.Authorization = bearers[client % bearers.Length];
    using var response = await http.SendAsync(request);
    Check(response, HttpStatusCode.NoContent);
}

// Warm the app up (JIT tiers, pools, caches) before anything is measured, in the shapes the scenarios use (one shared
// session, and sessions that open and close with each join). Tiered compilation re-compiles hot methods at tier 1 in the
// background for several seconds after they first run; a shorter warm-up (2 s before 2026-11-24 evening) left that JIT
// running in the app during the emulator's hot-session run and the app's own, which made both noisy.
var warm = await Runner.LoopAsync(options.Concurrency, TimeSpan.FromSeconds(options.AppWarmupSeconds), async (c, i) =>
{
    var session = i % 2 == 0 ? "warm-hot" : $"warm-{c}-{i % 20}";
    var id = await AppCreateAsync(session, c);
    await AppDeleteAsync(session, id, c);
});
Console.WriteLine(string.Create(culture, $"warmed up for {options.AppWarmupSeconds} s ({warm.JoinsPerSecond:F0} joins/s, {warm.AppCpuMsPerJoin:F3} app CPU ms/join): {app.Memory()}"));

const int ManySessions = 200;
var results = new List<(string Scenario, string Target, RunResult Result, string Memory)>();

// 1. One hot session, many joiners.
await DirectCreateAsync("hot", ensureSession: true).ContinueWith(t => DirectDeleteAsync("hot", t.Result)).Unwrap();
results.Add(("hot session", "emulator", await Runner.RunAsync(options, async (c, _) =>
{
    var id = await DirectCreateAsync("hot", ensureSession: false);
    await DirectDeleteAsync("hot", id);
}), ""));
results.Add(("hot session", "app", await Runner.RunAsync(options, async (c, _) =>
{
    var id = await AppCreateAsync("hot", c);
    await AppDeleteAsync("hot", id, c);
}), app.Memory()));

// 2. Many sessions, few joiners each (each join picks the next of 200 names; sessions exist at OpenVidu already).
for (var s = 0; s < ManySessions; s++)
{
    await DirectCreateAsync($"many-{s}", ensureSession: true).ContinueWith(t => DirectDeleteAsync($"many-{s}", t.Result)).Unwrap();
}

results.Add(("many sessions", "emulator", await Runner.RunAsync(options, async (c, i) =>
{
    var session = $"many-{(c * 31 + i) % ManySessions}";
    var id = await DirectCreateAsync(session, ensureSession: false);
    await DirectDeleteAsync(session, id);
}), ""));
results.Add(("many sessions", "app", await Runner.RunAsync(options, async (c, i) =>
{
    var session = $"many-{(c * 31 + i) % ManySessions}";
    var id = await AppCreateAsync(session, c);
    await AppDeleteAsync(session, id, c);
}), app.Memory()));

// 3. The create race: every client joins the same brand-new name at once; one round per new name.
var round = 0;
results.Add(("create race", "emulator", await Runner.RunRoundsAsync(options, async c =>
{
    var session = $"race-e-{Volatile.Read(ref round)}";
    var id = await DirectCreateAsync(session, ensureSession: true);
    await DirectDeleteAsync(session, id);
}, () => Interlocked.Increment(ref round)), ""));
round = 0;
results.Add(("create race", "app", await Runner.RunRoundsAsync(options, async c =>
{
    var session = $"race-a-{Volatile.Read(ref round)}";
    var id = await AppCreateAsync(session, c);
    await AppDeleteAsync(session, id, c);
}, () => Interlocked.Increment(ref round)), app.Memory()));

Console.WriteLine();
Console.WriteLine("| scenario | target | joins/s | requests/s | join p50 ms | join p95 ms | join p99 ms | errors | CPU ms/join: bench (load + emulator) | CPU ms/join: app | app memory |");
Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
foreach (var (scenario, target, r, memory) in results)
{
    Console.WriteLine(string.Create(culture,
        $"| {scenario} | {target} | {r.JoinsPerSecond:F0} | {r.JoinsPerSecond * 2:F0} | {r.P(0.50):F2} | {r.P(0.95):F2} | {r.P(0.99):F2} | {r.Errors} | {r.BenchCpuMsPerJoin:F3} | {r.AppCpuMsPerJoin:F3} | {memory} |"));
}

foreach (var scenario in results.Select(r => r.Scenario).Distinct())
{
    var direct = results.First(r => r.Scenario == scenario && r.Target == "emulator").Result;
    var viaApp = results.First(r => r.Scenario == scenario && r.Target == "app").Result;
    Console.WriteLine(string.Create(culture,
        $"{scenario}: app adds {viaApp.P(0.50) - direct.P(0.50):F2} ms at p50 per join (POST+DELETE); throughput {100 * viaApp.JoinsPerSecond / direct.JoinsPerSecond:F0}% of the emulator alone"));
}

Console.WriteLine($"app peak memory: {app.Memory()}");
return 0;

static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

static async Task<string> ReadIdAsync(HttpResponseMessage response, string property)
{
    using (response)
    {
        Check(response, HttpStatusCode.OK);
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var json = await JsonDocument.ParseAsync(stream);
        return json.RootElement.GetProperty(property).GetString()!;
    }
}

static void Check(HttpResponseMessage response, HttpStatusCode expected)
{
    if (response.StatusCode != expected)
    {
        throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} answered {(int)response.StatusCode}");
    }
}

internal sealed record BenchOptions(int Concurrency, int Seconds, int WarmupSeconds, int AppWarmupSeconds, string Configuration, bool Quiet, IReadOnlyList<string> AppSettings, string? AppFolder = null)
{
    public static BenchOptions Parse(string[] args)
    {
        int Int(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        var configuration = typeof(BenchOptions).Assembly.Location.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        // --app-setting Key=Value (repeatable) is passed to the app as an environment variable, e.g. Logging__LogLevel__Default=Warning.
        var settings = args.Select((a, i) => (a, i)).Where(x => x.a == "--app-setting" && x.i + 1 < args.Length).Select(x => args[x.i + 1]).ToList();
        // --app-folder PATH: the app to start instead of this checkout's build output (e.g. a build of the commit before a change).
        var appFolder = Array.IndexOf(args, "--app-folder") is var f and >= 0 && f + 1 < args.Length ? Path.GetFullPath(args[f + 1]) : null;
        return new BenchOptions(Int("--concurrency", 8), Int("--seconds", 5), Int("--warmup", 2), Int("--app-warmup", 10), configuration, !args.Contains("--app-logs"), settings, appFolder);
    }
}

internal sealed class RunResult(List<double> joinsMs, int errors, TimeSpan elapsed, Cpu.Usage cpu)
{
    private readonly double[] sorted = [.. joinsMs.Order()];

    public int Errors { get; } = errors;

    /// <summary>CPU time (user + system) of this process (load generator and emulator) per join during the measured run.</summary>
    public double BenchCpuMsPerJoin => sorted.Length == 0 ? double.NaN : cpu.BenchMs / sorted.Length;

    /// <summary>CPU time (user + system) of the app's process per join during the measured run (it also runs, idle, during emulator runs).</summary>
    public double AppCpuMsPerJoin => sorted.Length == 0 ? double.NaN : cpu.AppMs / sorted.Length;

    public double JoinsPerSecond => sorted.Length / elapsed.TotalSeconds;

    public double P(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
}

internal static class Runner
{
    /// <summary>C clients loop over <paramref name="join"/> for warm-up then the measured seconds; latency is per join.</summary>
    public static async Task<RunResult> RunAsync(BenchOptions options, Func<int, int, Task> join)
    {
        await LoopAsync(options.Concurrency, TimeSpan.FromSeconds(options.WarmupSeconds), join);
        return await LoopAsync(options.Concurrency, TimeSpan.FromSeconds(options.Seconds), join);
    }

    /// <summary>Rounds: all C clients start together on the same fresh name, wait for each other, next round.</summary>
    public static async Task<RunResult> RunRoundsAsync(BenchOptions options, Func<int, Task> join, Action nextRound)
    {
        var latencies = new List<double>();
        var errors = 0;
        var cpu = Cpu.Start();
        var clock = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(options.Seconds);
        while (clock.Elapsed < deadline)
        {
            nextRound();
            var tasks = Enumerable.Range(0, options.Concurrency).Select(async c =>
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    await join(c);
                    return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
                catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TaskCanceledException)
                {
                    Interlocked.Increment(ref errors);
                    return double.NaN;
                }
            }).ToArray();
            latencies.AddRange((await Task.WhenAll(tasks)).Where(l => !double.IsNaN(l)));
        }

        return new RunResult(latencies, errors, clock.Elapsed, cpu.Stop());
    }

    public static async Task<RunResult> LoopAsync(int concurrency, TimeSpan duration, Func<int, int, Task> join)
    {
        var perClient = new List<double>[concurrency];
        var errors = 0;
        var cpu = Cpu.Start();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(c => Task.Run(async () =>
        {
            var mine = perClient[c] = new List<double>(4096);
            for (var i = 0; clock.Elapsed < duration; i++)
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    await join(c, i);
                    mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
                catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TaskCanceledException)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })));
        var elapsed = clock.Elapsed;
        var used = cpu.Stop();
        return new RunResult([.. perClient.SelectMany(l => l)], errors, elapsed, used);
    }
}

/// <summary>CPU time (utime + stime from <c>/proc/&lt;pid&gt;/stat</c>) of this process and of the app over a run.</summary>
internal static class Cpu
{
    private static readonly double MsPerTick = 1000.0 / 100; // USER_HZ is 100 on Linux.

    public static int AppPid { get; set; }

    public static Snapshot Start() => new(Ticks(Environment.ProcessId), Ticks(AppPid));

    /// <summary>utime + stime in clock ticks; 0 when unknown (no /proc, no app yet).</summary>
    private static long Ticks(int pid)
    {
        try
        {
            if (pid == 0)
            {
                return 0;
            }

            // Fields after the command name (which may hold spaces, so split after its closing parenthesis): state is
            // field 3, utime 14 and stime 15.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    public readonly record struct Snapshot(long Bench, long App)
    {
        public Usage Stop() => new((Ticks(Environment.ProcessId) - Bench) * MsPerTick, (Ticks(AppPid) - App) * MsPerTick);
    }

    public readonly record struct Usage(double BenchMs, double AppMs);
}

/// <summary>The app as a child process (<c>dotnet OpenViduServerSide.dll</c>) on a temp SQLite file, pointed at the emulator.</summary>
internal sealed class AppProcess : IDisposable
{
    private readonly Process process;
    private readonly string databasePath;

    private AppProcess(Process process, string baseUrl, string databasePath)
    {
        this.process = process;
        BaseUrl = baseUrl;
        this.databasePath = databasePath;
    }

    public string BaseUrl { get; }

    public int Pid => process.Id;

    public static async Task<AppProcess> StartAsync(BenchOptions options, OpenViduEmulatorServer emulator, string? appFolder = null)
    {
        var root = AppProcess.RepositoryRoot();

        appFolder ??= options.AppFolder ?? Path.Combine(root, "OpenViduServerSide", "bin", options.Configuration, "net10.0");
        var dll = Path.Combine(appFolder, "OpenViduServerSide.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build with 'dotnet build -c {options.Configuration} bench/OpenViduServerSide.Bench'.");
        }

        var port = FreePort();
        var databasePath = Path.Combine(Path.GetTempPath(), $"ovss-bench-{Guid.NewGuid():N}.db");
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = appFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__Default"] = $"Data Source={databasePath}";
        start.Environment["Seed__DemoUsers"] = "true";
        start.Environment["OpenVidu__Url"] = emulator.BaseUrl;
        start.Environment["OpenVidu__Secret"] = emulator.Secret;
        // The load generator is one script minting as fast as it can: lift the per-user budget it measures past.
        start.Environment["Calls__MintsPerUserPerMinute"] = "100000";
        start.Environment["RateLimits__ConnectionsPerUserPerMinute"] = "100000000";
        start.Environment["RateLimits__ConnectionsPerAddressPerMinute"] = "100000000";
        start.Environment["RateLimits__SignInPerAddressPerMinute"] = "100000";
        start.Environment["Seed__AllowDemoUsersOutsideDevelopment"] = "true";
        foreach (var setting in options.AppSettings)
        {
            var at = setting.IndexOf('=', StringComparison.Ordinal);
            start.Environment[setting[..at]] = setting[(at + 1)..];
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the app.");
        process.OutputDataReceived += (_, e) => { if (!options.Quiet && e.Data is not null) { Console.WriteLine("  app| " + e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine("  app! " + e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var app = new AppProcess(process, $"http://127.0.0.1:{port}", databasePath);
        using var probe = new HttpClient();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await probe.GetAsync(app.BaseUrl + "/health");
                if (response.IsSuccessStatusCode)
                {
                    return app;
                }
            }
            catch (HttpRequestException) when (deadline.Elapsed < TimeSpan.FromSeconds(180) && !process.HasExited)
            {
            }

            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(180))
            {
                app.Dispose();
                throw new InvalidOperationException("The app did not become healthy within 180 s.");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Current resident memory of the child in kB (VmRSS).</summary>
    public long ResidentKb() =>
        long.Parse(File.ReadAllLines($"/proc/{process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))[6..].Trim().Replace(" kB", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    /// <summary>Peak and current resident memory of the child, from /proc/&lt;pid&gt;/status.</summary>
    public string Memory()
    {
        try
        {
            var status = File.ReadAllLines($"/proc/{process.Id}/status");
            string Field(string name) => status.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?[name.Length..].Trim().Replace(" kB", "", StringComparison.Ordinal) ?? "?";
            return string.Create(CultureInfo.InvariantCulture, $"peak {long.Parse(Field("VmHWM:"), CultureInfo.InvariantCulture) / 1024} MB, now {long.Parse(Field("VmRSS:"), CultureInfo.InvariantCulture) / 1024} MB");
        }
        catch (IOException)
        {
            return "?";
        }
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }

        process.Dispose();
        foreach (var file in new[] { databasePath, databasePath + "-wal", databasePath + "-shm" })
        {
            File.Delete(file);
        }
    }

    /// <summary>The checkout this bench was built in (where OpenViduServerSide.sln is).</summary>
    public static string RepositoryRoot()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "OpenViduServerSide.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Run the bench from inside the repository.");
        }

        return root;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
