using System.Diagnostics;

namespace OpenViduServerSide.Tests.Infrastructure;

/// <summary>
/// One built program of this repository (an app instance or the front) run as its own process, in its own process group
/// (setsid), with its settings as environment variables and its output in a file that failure messages quote.
/// </summary>
public sealed class ClusterProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process process;

    private ClusterProcess(string name, string url, Process process, string logPath)
    {
        Name = name;
        Url = url;
        this.process = process;
        LogPath = logPath;
    }

    /// <summary>What the cluster calls it (<c>app1</c>, <c>front</c>); the front's affinity cookie and instance header carry it.</summary>
    public string Name { get; }

    /// <summary>Where it listens, e.g. http://127.0.0.1:24567 (no trailing slash).</summary>
    public string Url { get; }

    public string LogPath { get; }

    public bool HasExited => process.HasExited;

    /// <summary>The last lines of its output, for a failure message.</summary>
    public string LogTail(int lines = 40)
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return $"--- {Name} ({LogPath}) ---\n" + string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException e)
        {
            return $"--- {Name}: no output ({e.Message}) ---";
        }
    }

    /// <summary>Starts <paramref name="assemblyPath"/> with <c>dotnet</c> in its own folder and waits until <c>{url}{readyPath}</c> answers 200.</summary>
    public static async Task<ClusterProcess> StartAsync(string name, string assemblyPath, string url, IReadOnlyDictionary<string, string> environment, string logFolder, string readyPath)
    {
        var logPath = Path.Combine(logFolder, $"{name}.log");
        // setsid execs sh, so the id we hold is the group's (KillAsync kills the group). sh stays as a watchdog: when the
        // test run itself dies (aborted, timed out) before disposing, the program goes with it instead of lingering.
        var start = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = Path.GetDirectoryName(assemblyPath)!,
            UseShellExecute = false,
        };
        const string Watchdog = """
            dotnet "$0" >"$1" 2>&1 &
            program=$!
            while kill -0 "$2" 2>/dev/null && kill -0 "$program" 2>/dev/null; do sleep 1; done
            kill -KILL "$program" 2>/dev/null
            """;
        foreach (var argument in new[] { "sh", "-c", Watchdog, assemblyPath, logPath, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        // Nothing of the test run's own environment that would change the app (the test host's own URLs, environment).
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("ASPNETCORE_HTTP_PORTS");
        start.Environment["ASPNETCORE_URLS"] = url;
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start.");
        var started = new ClusterProcess(name, url, process, logPath);
        try
        {
            await started.WaitUntilAnswersAsync(readyPath);
            return started;
        }
        catch
        {
            await started.DisposeAsync();
            throw;
        }
    }

    /// <summary>A start-up, not a test: polls until the program answers (or fails with its output when it exits or takes a minute).</summary>
    private async Task WaitUntilAnswersAsync(string path)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var ct = TestContext.Current.CancellationToken;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {process.ExitCode} before it answered {path}.\n{LogTail()}");
            }

            try
            {
                using var answer = await client.GetAsync(Url + path, ct);
                if (answer.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // Slow to answer while it starts.
            }

            if (deadline.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"{Name} did not answer {path} within {StartTimeout.TotalSeconds} s.\n{LogTail()}");
            }

            await Task.Delay(100, ct);
        }
    }

    /// <summary>SIGKILL to the whole process group: no shutdown, no flush, as a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        if (!process.HasExited)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-KILL", "--", $"-{process.Id}"]) { UseShellExecute = false })!;
            await kill.WaitForExitAsync();
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        finally
        {
            process.Dispose();
        }
    }
}
