using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OpenViduServerSide.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL and Redis that tools/with-test-servers.sh starts for a test run (./test.sh does; for a targeted run:
/// <c>tools/in-media-netns.sh tools/with-test-servers.sh dotnet test …</c>). A test that needs one fails, with this
/// sentence, when it is not there: it is never skipped.
/// </summary>
public static class TestServers
{
    /// <summary>host:port of the run's Redis.</summary>
    public static string Redis => Variable("OVSS_TEST_REDIS");

    /// <summary>
    /// A Redis of the test's own (Debian's redis-server, a free loopback port, no files), for a test that needs Redis to
    /// come and go. Stopped by its process id when disposed.
    /// </summary>
    public static async Task<PrivateRedis> StartPrivateRedisAsync(int port, CancellationToken cancellationToken)
    {
        var process = Process.Start(new ProcessStartInfo("redis-server", ["--bind", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("redis-server did not start (./test.sh installs Debian's redis-server).");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.BeginOutputReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        return new PrivateRedis(process, $"127.0.0.1:{port}");
    }

    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Variable(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: run the tests through tools/with-test-servers.sh (./test.sh does), which starts PostgreSQL and Redis for them.");
}

public sealed class PrivateRedis(Process process, string connectionString) : IAsyncDisposable
{
    public string ConnectionString { get; } = connectionString;

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
