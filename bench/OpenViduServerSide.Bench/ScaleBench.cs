using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OpenViduEmulator;

/// <summary>
/// <c>--scale</c>: joins per second through one app instance and through two of one deployment (Redis), and how long a
/// join made on one instance takes to be known by the other (p50/p95). Needs a Redis: <c>OVSS_TEST_REDIS</c> (run it
/// through tools/with-test-servers.sh) or <c>--redis host:port</c>. See bench/README.md.
/// </summary>
internal static class ScaleBench
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(BenchOptions options, string redis, int propagationSamples)
    {
        Console.WriteLine(string.Create(Culture, $"scale bench: concurrency {options.Concurrency}, {options.Seconds} s per run (+{options.WarmupSeconds} s warm-up), {Environment.ProcessorCount} cores, Redis {redis}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC"));
        await using var emulator = await OpenViduEmulatorServer.StartAsync();
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10), MaxConnectionsPerServer = 256 }) { Timeout = TimeSpan.FromSeconds(30) };
        var rows = new List<string>();
        foreach (var count in new[] { 1, 2 })
        {
            var folder = Directory.CreateTempSubdirectory("ovss-scale-bench-").FullName;
            var shared = options with
            {
                AppSettings =
                [
                    .. options.AppSettings,
                    $"ConnectionStrings__Default=Data Source={Path.Combine(folder, "app.db")}",
                    $"ConnectionStrings__Redis={redis}",
                    $"ScaleOut__Deployment=bench{Guid.NewGuid():N}",
                    $"DataProtection__KeysPath={Path.Combine(folder, "keys")}",
                    "Logging__LogLevel__Default=Warning",
                ],
            };
            var instances = new List<AppProcess>();
            try
            {
                // The first migrates and seeds; the second finds the database ready.
                instances.Add(await AppProcess.StartAsync(shared, emulator));
                if (count == 2)
                {
                    instances.Add(await AppProcess.StartAsync(shared, emulator));
                }

                // Bearer tokens from the first instance, used on every instance (one set of data-protection keys).
                var bearers = await SignInAsync(http, instances[0].BaseUrl);
                Task<string> MintAsync(string baseUrl, string session, int client) => CreateAsync(http, baseUrl, session, bearers[client % bearers.Length]);
                async Task JoinAsync(int c, int i, string session)
                {
                    var on = instances[c % instances.Count].BaseUrl;
                    var id = await MintAsync(on, session, c);
                    using var deleted = await DeleteAsync(http, on, session, id, bearers[c % bearers.Length]);
                    if (deleted.StatusCode != HttpStatusCode.NoContent)
                    {
                        throw new InvalidOperationException($"DELETE answered {(int)deleted.StatusCode}");
                    }
                }

                await Runner.LoopAsync(options.Concurrency, TimeSpan.FromSeconds(options.AppWarmupSeconds), (c, i) => JoinAsync(c, i, i % 2 == 0 ? "warm-hot" : $"warm-{c}-{i % 20}"));
                var hot = await Runner.RunAsync(options, (c, i) => JoinAsync(c, i, "hot"));
                rows.Add(Row($"hot session, {count} instance(s)", hot));
                var many = await Runner.RunAsync(options, (c, i) => JoinAsync(c, i, $"many-{(c * 7919 + i) % 200}"));
                rows.Add(Row($"many sessions, {count} instance(s)", many));

                if (count == 2)
                {
                    var delays = await PropagationAsync(http, instances[0].BaseUrl, instances[1].BaseUrl, bearers, propagationSamples, MintAsync);
                    rows.Add(string.Create(Culture, $"propagation A→B ({delays.Count} joins, one at a time): p50 {Percentile(delays, 0.50):F2} ms, p95 {Percentile(delays, 0.95):F2} ms, max {delays.Max():F2} ms"));
                }
            }
            finally
            {
                foreach (var instance in instances)
                {
                    instance.Dispose();
                }

                Directory.Delete(folder, recursive: true);
            }
        }

        Console.WriteLine();
        Console.WriteLine("| run | joins/s | join p50 ms | join p95 ms | errors |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        rows.ForEach(Console.WriteLine);
        return 0;
    }

    /// <summary>
    /// A connection minted on A, then B asked to release it until it can: B answers 404 until its directory knows the
    /// connection (Redis brought it), then 204. The time from A's answer to B's 204 is the propagation.
    /// </summary>
    private static async Task<List<double>> PropagationAsync(HttpClient http, string a, string b, AuthenticationHeaderValue[] bearers, int samples, Func<string, string, int, Task<string>> mint)
    {
        var delays = new List<double>(samples);
        for (var i = 0; i < samples; i++)
        {
            var session = $"prop-{i % 10}";
            var id = await mint(a, session, i);
            var since = Stopwatch.StartNew();
            while (true)
            {
                using var deleted = await DeleteAsync(http, b, session, id, bearers[i % bearers.Length]);
                if (deleted.StatusCode == HttpStatusCode.NoContent)
                {
                    delays.Add(since.Elapsed.TotalMilliseconds);
                    break;
                }

                if (deleted.StatusCode != HttpStatusCode.NotFound || since.Elapsed > TimeSpan.FromSeconds(5))
                {
                    throw new InvalidOperationException($"B answered {(int)deleted.StatusCode} after {since.ElapsedMilliseconds} ms for a connection minted on A.");
                }
            }
        }

        return delays;
    }

    private static string Row(string name, RunResult result) =>
        string.Create(Culture, $"| {name} | {result.JoinsPerSecond:F0} | {result.P(0.50):F2} | {result.P(0.95):F2} | {result.Errors} |");

    private static double Percentile(List<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
    }

    private static async Task<AuthenticationHeaderValue[]> SignInAsync(HttpClient http, string baseUrl)
    {
        string[] users = ["publisher1", "publisher2", "moderator", "admin"];
        var bearers = new AuthenticationHeaderValue[users.Length];
        for (var i = 0; i < users.Length; i++)
        {
            using var response = await http.PostAsync(baseUrl + "/api/auth/token", new StringContent($$"""{"userName":"{{users[i]}}","password":"pass"}""", Encoding.UTF8, "application/json"));
            response.EnsureSuccessStatusCode();
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            bearers[i] = new AuthenticationHeaderValue("Bearer", json.RootElement.GetProperty("accessToken").GetString());
        }

        return bearers;
    }

    private static async Task<string> CreateAsync(HttpClient http, string baseUrl, string session, AuthenticationHeaderValue bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, baseUrl + $"/api/sessions/{session}/connections")
        {
            Content = new StringContent("""{"nickname":"bench","kind":"camera"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = bearer;
        using var response = await http.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"POST connection answered {(int)response.StatusCode}");
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("connectionId").GetString()!;
    }

    private static async Task<HttpResponseMessage> DeleteAsync(HttpClient http, string baseUrl, string session, string connectionId, AuthenticationHeaderValue bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, baseUrl + $"/api/sessions/{session}/connections/{connectionId}");
        request.Headers.Authorization = bearer;
        return await http.SendAsync(request);
    }
}
