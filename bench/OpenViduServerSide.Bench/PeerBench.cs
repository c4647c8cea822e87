using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpenViduEmulator;

/// <summary>
/// <c>--versus-peer</c>: the app against OpenVidu's official minimal .NET backend (bench/OpenViduBasicPeer), side by
/// side in one run. Per backend and round: a fresh emulator, the backend started fresh, then wrk (Debian's package) with
/// 16 connections minting one token per request in one existing session: five 1 s runs from the moment the backend is
/// ready (how fast it gets warm), load until 8 s, 10 s measured, load until 40 s, 10 s measured. Tokens/s from wrk, the
/// backend's own CPU (utime + stime of its process) per token. The app authenticates every request (bearer), checks the
/// caller's role and keeps the directory; the peer does none of that. See bench/README.md.
/// </summary>
internal static partial class PeerBench
{
    private const int Connections = 16;
    private const string Session = "bench-peer";

    /// <summary>An app to measure: a label, its folder (null: this checkout's build output) and settings for it alone.</summary>
    public sealed record App(string Label, string? Folder, string[] Settings);

    public static async Task<int> RunAsync(BenchOptions options, int rounds, List<App> apps)
    {
        if (!File.Exists("/usr/bin/wrk"))
        {
            Console.Error.WriteLine("--versus-peer needs wrk: apt-get install wrk");
            return 2;
        }

        var culture = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(culture, $"versus peer: wrk -c {Connections}, {rounds} round(s), {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {LoadAverage()}"));
        foreach (var app in apps)
        {
            Console.WriteLine($"{app.Label}: {app.Folder ?? "build output (" + options.Configuration + ")"} {string.Join(' ', app.Settings)}");
        }

        Console.WriteLine($"app settings: {string.Join(' ', options.AppSettings)}");
        var rows = new List<Row>();
        for (var round = 1; round <= rounds; round++)
        {
            // The backends take turns within a round, so a drift in the machine's load spreads over all of them.
            foreach (var app in apps.Append(new App("peer", null, [])))
            {
                rows.Add(await RunBackendAsync(options with { AppSettings = [.. options.AppSettings, .. app.Settings] }, app.Label, round, app.Folder));
                Console.WriteLine(rows[^1].Format());
            }
        }

        Console.WriteLine();
        Console.WriteLine("| round | backend | start → ready ms | first 5 s tokens/s (per second) | first 5 s % of @40 s | @8 s tokens/s | @8 s CPU ms/token | @8 s p50 / p99 ms | @40 s tokens/s | @40 s CPU ms/token | @40 s p50 / p99 ms | errors | RSS MB | load avg |");
        Console.WriteLine("| ---: | --- | ---: | --- | ---: | ---: | ---: | --- | ---: | ---: | --- | ---: | ---: | --- |");
        foreach (var row in rows)
        {
            Console.WriteLine(row.Format());
        }

        return 0;
    }

    private static async Task<Row> RunBackendAsync(BenchOptions options, string backend, int round, string? appFolder)
    {
        var isPeer = backend == "peer";
        await using var emulator = await OpenViduEmulatorServer.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        // The one existing session, made at OpenVidu before the backend starts.
        using (var create = new HttpRequestMessage(HttpMethod.Post, emulator.BaseUrl + "/openvidu/api/sessions")
        {
            Content = new StringContent($$"""{"customSessionId":"{{Session}}"}""", Encoding.UTF8, "application/json"),
        })
        {
            create.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("OPENVIDUAPP:" + emulator.Secret)));
            using var created = await http.SendAsync(create);
            created.EnsureSuccessStatusCode();
        }

        var started = Stopwatch.StartNew();
        using IDisposable process = !isPeer
            ? await AppProcess.StartAsync(options with { AppSettings = [.. AppLoadSettings, .. options.AppSettings] }, emulator, appFolder)
            : await PeerProcess.StartAsync(options, emulator);
        var readyMs = started.Elapsed.TotalMilliseconds;
        var (pid, baseUrl) = process switch
        {
            AppProcess app => (app.Pid, app.BaseUrl),
            PeerProcess peer => (peer.Pid, peer.BaseUrl),
            _ => throw new InvalidOperationException(),
        };

        // The app: bearer tokens of the four demo users that may publish, round robin per request. The peer: the body the
        // tutorial's browser client sends ({}), no credentials.
        var script = Path.Combine(Path.GetTempPath(), $"ovss-bench-{backend}-{Guid.NewGuid():N}.lua");
        List<string> bearers = [];
        if (!isPeer)
        {
            foreach (var user in new[] { "publisher1", "publisher2", "moderator", "admin" })
            {
                using var response = await http.PostAsync(baseUrl + "/api/auth/token",
                    new StringContent($$"""{"userName":"{{user}}","password":"pass"}""", Encoding.UTF8, "application/json"));
                response.EnsureSuccessStatusCode();
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                bearers.Add("Bearer " + json.RootElement.GetProperty("accessToken").GetString());
            }
        }

        await File.WriteAllTextAsync(script, Lua(!isPeer ? """{"nickname":"bench","kind":"camera"}""" : "{}", bearers));
        var url = $"{baseUrl}/api/sessions/{Session}/connections";
        try
        {
            var clock = Stopwatch.StartNew();
            var perSecond = new List<WrkResult>();
            for (var s = 0; s < 5; s++)
            {
                perSecond.Add(await WrkAsync(script, url, 1, pid));
            }

            await WrkAsync(script, url, Math.Max(1, 8 - (int)Math.Round(clock.Elapsed.TotalSeconds)), pid);
            var at8 = await WrkAsync(script, url, 10, pid);
            await WrkAsync(script, url, Math.Max(1, 40 - (int)Math.Round(clock.Elapsed.TotalSeconds)), pid);
            var at40 = await WrkAsync(script, url, 10, pid);
            return new Row(round, backend, readyMs, perSecond, at8, at40, ResidentMb(pid), LoadAverage());
        }
        finally
        {
            File.Delete(script);
        }
    }

    /// <summary>
    /// One token per request, never deleted, so pending connections pile up: the app revokes unused ones after
    /// Calls:PendingLifetime (5 s here, the least it allows; its sweeper's DELETEs to OpenVidu count in its CPU) and caps
    /// them per user and per call (raised to the most it allows). The per-minute budgets are lifted as in the load run.
    /// </summary>
    private static readonly string[] AppLoadSettings =
    [
        "Calls__PendingLifetime=00:00:05",
        "Calls__MaxPendingPerUser=10000",
        "Calls__MaxPendingPerSession=100000",
    ];

    private static string Lua(string body, List<string> bearers)
    {
        var lua = new StringBuilder();
        lua.AppendLine("wrk.method = \"POST\"");
        lua.AppendLine(CultureInfo.InvariantCulture, $"wrk.body = '{body}'");
        lua.AppendLine("wrk.headers[\"Content-Type\"] = \"application/json\"");
        lua.AppendLine("local bearers = {" + string.Join(", ", bearers.Select(b => $"\"{b}\"")) + "}");
        lua.AppendLine("local n = 0");
        // The same request function for both backends, so wrk costs the same per request.
        lua.AppendLine("request = function()");
        lua.AppendLine("  n = n + 1");
        lua.AppendLine("  if #bearers > 0 then wrk.headers[\"Authorization\"] = bearers[(n % #bearers) + 1] end");
        lua.AppendLine("  return wrk.format()");
        lua.AppendLine("end");
        // Answers counted per status (each thread its own table, summed in done), so errors say what they were.
        lua.AppendLine("local threads = {}");
        lua.AppendLine("function setup(thread) table.insert(threads, thread) end");
        lua.AppendLine("function init(args) statuses = {} end");
        lua.AppendLine("function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end");
        lua.AppendLine("function done(summary, latency, requests)");
        lua.AppendLine("  local total = {}");
        lua.AppendLine("  for _, t in ipairs(threads) do for k, v in pairs(t:get(\"statuses\")) do total[k] = (total[k] or 0) + v end end");
        lua.AppendLine("  for k, v in pairs(total) do io.write(string.format(\"status %d %d\\n\", k, v)) end");
        lua.AppendLine("end");
        return lua.ToString();
    }

    private static async Task<WrkResult> WrkAsync(string script, string url, int seconds, int pid)
    {
        var start = new ProcessStartInfo("/usr/bin/wrk", ["-t", "2", "-c", Connections.ToString(CultureInfo.InvariantCulture), "-d", $"{seconds}s", "--latency", "-s", script, url])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var cpuBefore = CpuMs(pid);
        using var wrk = Process.Start(start) ?? throw new InvalidOperationException("Could not start wrk.");
        var output = await wrk.StandardOutput.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        var cpuMs = CpuMs(pid) - cpuBefore;

        double Number(Regex pattern) => pattern.Match(output) is { Success: true } m ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        double Latency(string percentile)
        {
            var m = Regex.Match(output, $@"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
            return !m.Success ? double.NaN : double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * m.Groups[2].Value switch { "us" => 0.001, "s" => 1000, _ => 1 };
        }

        var requests = Number(RequestsPattern());
        var errors = Number(Non2xxPattern()) + SocketErrorsPattern().Matches(output).Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        var elapsed = Number(ElapsedPattern());
        var tokens = requests - errors;
        var refusals = StatusPattern().Matches(output).Where(m => m.Groups[1].Value[0] != '2').Select(m => $"{m.Groups[2].Value}×{m.Groups[1].Value}");
        return new WrkResult(elapsed > 0 ? tokens / elapsed : 0, tokens > 0 ? cpuMs / tokens : double.NaN, Latency("50"), Latency("99"), (int)errors, string.Join(' ', refusals));
    }

    private static double CpuMs(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
    }

    private static long ResidentMb(int pid) =>
        long.Parse(File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))[6..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture) / 1024;

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex RequestsPattern();

    [GeneratedRegex(@"requests in ([\d.]+)s")]
    private static partial Regex ElapsedPattern();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xxPattern();

    [GeneratedRegex(@"(?:connect|read|write|timeout) (\d+)")]
    private static partial Regex SocketErrorsPattern();

    [GeneratedRegex(@"^status (\d+) (\d+)$", RegexOptions.Multiline)]
    private static partial Regex StatusPattern();

    private sealed record WrkResult(double TokensPerSecond, double CpuMsPerToken, double P50Ms, double P99Ms, int Errors, string Refusals);

    private sealed record Row(int Round, string Backend, double ReadyMs, List<WrkResult> FirstSeconds, WrkResult At8, WrkResult At40, long ResidentMb, string Load)
    {
        public string Format()
        {
            var first = FirstSeconds.Average(r => r.TokensPerSecond);
            var errors = FirstSeconds.Sum(r => r.Errors) + At8.Errors + At40.Errors;
            var refusals = string.Join(' ', FirstSeconds.Append(At8).Append(At40).Select(r => r.Refusals).Where(r => r.Length > 0));
            return string.Create(CultureInfo.InvariantCulture,
                $"| {Round} | {Backend} | {ReadyMs:F0} | {first:F0} ({string.Join(", ", FirstSeconds.Select(r => r.TokensPerSecond.ToString("F0", CultureInfo.InvariantCulture)))}) | {100 * first / At40.TokensPerSecond:F0} % | {At8.TokensPerSecond:F0} | {At8.CpuMsPerToken:F3} | {At8.P50Ms:F2} / {At8.P99Ms:F2} | {At40.TokensPerSecond:F0} | {At40.CpuMsPerToken:F3} | {At40.P50Ms:F2} / {At40.P99Ms:F2} | {errors}{(refusals.Length > 0 ? " (" + refusals + ")" : "")} | {ResidentMb} | {Load} |");
        }
    }
}

/// <summary>The peer (bench/OpenViduBasicPeer) as a child process, pointed at the emulator; ready when it answers HTTP.</summary>
internal sealed class PeerProcess : IDisposable
{
    private readonly Process process;

    private PeerProcess(Process process, string baseUrl)
    {
        this.process = process;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public int Pid => process.Id;

    public static async Task<PeerProcess> StartAsync(BenchOptions options, OpenViduEmulatorServer emulator)
    {
        var root = AppProcess.RepositoryRoot();

        var folder = Path.Combine(root, "bench", "OpenViduBasicPeer", "bin", options.Configuration, "net10.0");
        var dll = Path.Combine(folder, "OpenViduBasicPeer.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build with 'dotnet build -c {options.Configuration} bench/OpenViduServerSide.Bench'.");
        }

        var port = AppProcess.FreePort();
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["OPENVIDU_URL"] = emulator.BaseUrl + "/";
        start.Environment["OPENVIDU_SECRET"] = emulator.Secret;
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the peer.");
        process.OutputDataReceived += (_, e) => { if (!options.Quiet && e.Data is not null) { Console.WriteLine("  peer| " + e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine("  peer! " + e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var peer = new PeerProcess(process, $"http://127.0.0.1:{port}");
        using var probe = new HttpClient();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60) && !process.HasExited)
        {
            try
            {
                // It maps no GET: any answer (404) means it is listening.
                using var response = await probe.GetAsync(peer.BaseUrl + "/");
                return peer;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(50);
            }
        }

        peer.Dispose();
        throw new InvalidOperationException("The peer did not answer within 60 s.");
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }

        process.Dispose();
    }
}
