using System.Diagnostics;

namespace OpenViduEmulator.Tests.Hosting;

/// <summary>The standalone emulator as a process: containers and CI stop it with SIGTERM, not Ctrl+C.</summary>
public sealed class ProcessLifetimeTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task TheStandaloneEmulatorStopsCleanlyOnSigterm()
    {
        var ct = TestContext.Current.CancellationToken;
        var dll = Path.Combine(AppContext.BaseDirectory, "OpenViduEmulator.dll");
        using var emulator = Process.Start(new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "--urls", "http://127.0.0.1:0" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        try
        {
            // It says so once it listens; reading the line is the synchronisation, bounded by the timeout.
            string? line;
            using (var ready = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                ready.CancelAfter(Bound);
                do
                {
                    line = await emulator.StandardOutput.ReadLineAsync(ready.Token);
                }
                while (line is not null && !line.Contains("emulator listening on", StringComparison.Ordinal));
            }

            Assert.NotNull(line);
            _ = emulator.StandardOutput.ReadToEndAsync(ct);
            _ = emulator.StandardError.ReadToEndAsync(ct);

            using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", emulator.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!)
            {
                await kill.WaitForExitAsync(ct);
                Assert.Equal(0, kill.ExitCode);
            }

            Assert.True(emulator.WaitForExit(Bound), $"the emulator did not stop within {Bound} of SIGTERM");
            Assert.Equal(0, emulator.ExitCode);
        }
        finally
        {
            if (!emulator.HasExited)
            {
                emulator.Kill(entireProcessTree: true);
            }
        }
    }
}
