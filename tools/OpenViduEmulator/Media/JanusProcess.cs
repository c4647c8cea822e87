using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OpenViduEmulator.Media;

/// <summary>
/// A private Janus (Debian package <c>janus</c>) for one emulator: its own config folder in a temp dir, HTTP API on
/// a free 127.0.0.1 port, a random RTP port range, ICE only on <c>iceInterface</c>. It runs in its own process
/// group (setsid) so that disposal can kill Janus and anything it spawned, even if the emulator's process dies first.
/// </summary>
internal sealed partial class JanusProcess : IAsyncDisposable
{
    private const string LibDir = "/usr/lib/x86_64-linux-gnu/janus";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly Process process;
    private readonly string folder;
    private readonly ILogger logger;
    private readonly Queue<string> tail = new();

    private JanusProcess(Process process, string folder, Uri url, string adminKey, ILogger logger)
    {
        this.process = process;
        this.folder = folder;
        Url = url;
        AdminKey = adminKey;
        this.logger = logger;
    }

    public Uri Url { get; }

    /// <summary>The VideoRoom admin key: only the emulator may create rooms.</summary>
    public string AdminKey { get; }

    public static async Task<JanusProcess> StartAsync(string iceInterface, ILogger logger, CancellationToken ct)
    {
        var folder = Directory.CreateTempSubdirectory("ov-emulator-janus-").FullName;
        var port = FreeTcpPort();
        // 200 RTP ports are plenty for a test; a random block keeps parallel emulators apart.
        var rtpStart = 20000 + (Random.Shared.Next(0, 200) * 200);
        var adminKey = Convert.ToHexString(Guid.NewGuid().ToByteArray());
        WriteConfig(folder, port, rtpStart, iceInterface, adminKey);

        var start = new ProcessStartInfo("setsid")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in new[] { "janus", "-F", folder, "-C", Path.Combine(folder, "janus.jcfg"), "-o" })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start janus (is the Debian package installed?)");
        var janus = new JanusProcess(process, folder, new Uri($"http://127.0.0.1:{port}/janus"), adminKey, logger);
        process.OutputDataReceived += (_, e) => janus.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => janus.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await janus.WaitUntilAnsweringAsync(ct);
            return janus;
        }
        catch
        {
            await janus.DisposeAsync();
            throw;
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (tail)
        {
            tail.Enqueue(line);
            if (tail.Count > 40)
            {
                tail.Dequeue();
            }
        }
    }

    private string Tail()
    {
        lock (tail)
        {
            return string.Join('\n', tail);
        }
    }

    /// <summary>Polls <c>GET /janus/info</c> until Janus answers <c>{"janus":"server_info"}</c> or exits.</summary>
    private async Task WaitUntilAnsweringAsync(CancellationToken ct)
    {
        using var client = new JanusClient(Url, logger);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(StartTimeout);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"janus exited with {process.ExitCode} at start:\n{Tail()}");
            }

            try
            {
                var info = await client.InfoAsync(timeout.Token);
                if ((string?)info["janus"] == "server_info")
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet: poll again once the process had a moment (bounded by StartTimeout).
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"janus did not answer on {Url} within {StartTimeout}:\n{Tail()}");
            }

            try
            {
                await process.WaitForExitAsync(timeout.Token).WaitAsync(TimeSpan.FromMilliseconds(100), timeout.Token);
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"janus did not answer on {Url} within {StartTimeout}:\n{Tail()}");
            }
        }
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void WriteConfig(string folder, int port, int rtpStart, string iceInterface, string adminKey)
    {
        var rtp = string.Create(CultureInfo.InvariantCulture, $"{rtpStart}-{rtpStart + 199}");
        File.WriteAllText(Path.Combine(folder, "janus.jcfg"), $$"""
            general: {
              configs_folder = "{{folder}}"
              plugins_folder = "{{LibDir}}/plugins"
              transports_folder = "{{LibDir}}/transports"
              events_folder = "{{LibDir}}/events"
              loggers_folder = "{{LibDir}}/loggers"
              debug_level = 4
              session_timeout = 60
            }
            certificates: { }
            media: { rtp_port_range = "{{rtp}}" }
            # Half trickle: Janus puts its candidates in its SDP, so no iceCandidate notification can reach
            # openvidu-browser before it has the PeerConnection they belong to.
            nat: { full_trickle = false  ice_enforce_list = "{{iceInterface}}"  ignore_mdns = true }
            plugins: { disable = "libjanus_audiobridge.so,libjanus_duktape.so,libjanus_echotest.so,libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_voicemail.so" }
            transports: { disable = "libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so,libjanus_websockets.so" }
            loggers: { disable = "libjanus_jsonlog.so" }
            events: { broadcast = false  disable = "libjanus_gelfevh.so,libjanus_mqttevh.so,libjanus_nanomsgevh.so,libjanus_rabbitmqevh.so,libjanus_sampleevh.so,libjanus_wsevh.so" }
            """);
        File.WriteAllText(Path.Combine(folder, "janus.transport.http.jcfg"), $$"""
            general: { json = "plain"  base_path = "/janus"  http = true  port = {{port}}  ip = "127.0.0.1"  https = false }
            admin: { admin_http = false  admin_https = false }
            """);
        File.WriteAllText(Path.Combine(folder, "janus.plugin.videoroom.jcfg"), $$"""
            general: { admin_key = "{{adminKey}}" }
            """);
    }

    /// <summary>TERM to the whole process group, KILL if it lingers (bounded), then the config folder goes.</summary>
    public async ValueTask DisposeAsync()
    {
        var pgid = process.Id;
        if (!process.HasExited)
        {
            await SignalGroupAsync("TERM", pgid);
            try
            {
                await process.WaitForExitAsync().WaitAsync(StopTimeout);
            }
            catch (TimeoutException)
            {
                LogKilled(pgid);
                await SignalGroupAsync("KILL", pgid);
                await process.WaitForExitAsync().WaitAsync(StopTimeout);
            }
        }

        process.Dispose();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary><c>kill -SIG -- -pgid</c>: setsid made Janus a group leader, so pgid == its pid.</summary>
    private static async Task SignalGroupAsync(string signal, int pgid)
    {
        var kill = new ProcessStartInfo("kill") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-" + signal, "--", "-" + pgid.ToString(CultureInfo.InvariantCulture) })
        {
            kill.ArgumentList.Add(arg);
        }

        using var process = Process.Start(kill);
        if (process is not null)
        {
            await process.WaitForExitAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "janus (process group {Pgid}) ignored SIGTERM; sent SIGKILL")]
    private partial void LogKilled(int pgid);
}
