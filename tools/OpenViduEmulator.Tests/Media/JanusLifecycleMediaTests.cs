using System.Globalization;
using System.Text;
using OpenViduEmulator.Tests.Infrastructure;

namespace OpenViduEmulator.Tests.Media;

/// <summary>The private Janus an emulator starts in Janus mode (no JanusUrl) lives and dies with it.</summary>
[Collection(JanusMediaGroup.Name)]
public sealed class JanusLifecycleMediaTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OwnJanus_RunsInItsOwnProcessGroup_AndDisposeKillsItAndDeletesItsConfigFolder()
    {
        MediaNamespace.Require();
        var before = JanusProcesses();
        var emulator = await OpenViduEmulatorServer.StartAsync(new EmulatorOptions { MediaPlane = MediaPlane.Janus }, Ct);
        (int Pid, string Folder) janus;
        try
        {
            janus = Assert.Single(JanusProcesses(), p => !before.Contains(p));
            Assert.True(File.Exists(Path.Combine(janus.Folder, "janus.jcfg")));
            // setsid: Janus leads its own process group, so the group can be killed as a whole.
            var stat = File.ReadAllText($"/proc/{janus.Pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            Assert.Equal(janus.Pid.ToString(CultureInfo.InvariantCulture), fields[2]);

            // The emulator answers joinRoom for Janus: mediaServer "mediasoup", loopback STUN only.
            using var http = EmulatorHttp.Client(emulator);
            var sessionId = await http.CreateSessionAsync("lifecycle");
            var (_, token) = await http.CreateConnectionAsync(sessionId, "PUBLISHER", "");
            await using (var client = await OpenViduRpcClient.JoinAsync(token, "", Ct))
            {
                var result = client.JoinResult;
                Assert.Equal("mediasoup", (string?)result["mediaServer"]);
                Assert.False((bool?)result["videoSimulcast"]);
                Assert.Equal("stun:127.0.0.1:3478", (string?)result["customIceServers"]![0]!["url"]);
            }
        }
        finally
        {
            await emulator.DisposeAsync();
        }

        Assert.False(Directory.Exists($"/proc/{janus.Pid}"), "janus still runs after the emulator was disposed");
        Assert.False(Directory.Exists(janus.Folder), "the Janus config folder was not deleted");
    }

    /// <summary>Janus processes started by an emulator: their command line names an ov-emulator-janus- folder.</summary>
    private static List<(int Pid, string Folder)> JanusProcesses()
    {
        var found = new List<(int, string)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            string[] args;
            try
            {
                args = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(dir, "cmdline"))).Split('\0');
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            var folder = Array.IndexOf(args, "-F") is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
            if (args[0].EndsWith("janus", StringComparison.Ordinal) && folder is not null && folder.Contains("ov-emulator-janus-", StringComparison.Ordinal))
            {
                found.Add((pid, folder));
            }
        }

        return found;
    }
}

/// <summary>Janus media tests run one at a time: at most two Chromium pages and one Janus at once on a 2-core machine.</summary>
[CollectionDefinition(Name)]
public sealed class JanusMediaGroup
{
    public const string Name = "Janus media";
}
