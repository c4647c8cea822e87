using System.Diagnostics;
using System.Text.Json.Nodes;
using OpenViduEmulator.Tests.Infrastructure;

namespace OpenViduEmulator.Tests.Node;

/// <summary>The official openvidu-node-client 2.32.2 (npm) against the emulator, driven by Node/node-client.mjs.</summary>
public sealed class NodeClientTests
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OfficialNodeClient_CreatesFetchesDisconnectsSignalsAndCloses()
    {
        await NpmPackages.EnsureInstalledAsync();
        await using var room = await EmulatorRoom.StartAsync();
        using var node = Process.Start(new ProcessStartInfo("node", ["Node/node-client.mjs", room.Emulator.BaseUrl, room.Emulator.Secret, "node-room"])
        {
            WorkingDirectory = NpmPackages.ProjectDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("Could not start node: is Node.js on PATH?");
        var stderr = node.StandardError.ReadToEndAsync(Ct);
        try
        {
            var ready = await ReadPhaseAsync(node, stderr);
            Assert.Equal("ready", (string)ready["phase"]!);
            Assert.Equal("node-room", (string)ready["sessionId"]!);
            Assert.Equal("node-room", (string)ready["againSessionId"]!);
            Assert.Equal((long)ready["createdAt"]!, (long)ready["againCreatedAt"]!);
            var connections = ready["connections"]!.AsObject();
            foreach (var role in new[] { "SUBSCRIBER", "PUBLISHER", "MODERATOR" })
            {
                var c = connections[role]!;
                Assert.Equal("pending", (string)c["status"]!);
                Assert.Equal(role, (string)c["role"]!);
                Assert.Equal($"data-{role}", (string)c["data"]!);
                Assert.StartsWith($"ws://127.0.0.1:{room.Emulator.Port}?sessionId=node-room&token=tok_", (string)c["token"]!, StringComparison.Ordinal);
            }

            var session = Assert.Single(room.Controls.Sessions);
            Assert.Equal(["SUBSCRIBER", "PUBLISHER", "MODERATOR"], session.Connections.Select(c => c.Role));
            Assert.All(session.Connections, c => Assert.Equal("pending", c.Status));

            await using var moderator = await OpenViduRpcClient.JoinAsync((string)connections["MODERATOR"]!["token"]!, "cli-mod", Ct);
            await using var publisher = await OpenViduRpcClient.JoinAsync((string)connections["PUBLISHER"]!["token"]!, "cli-pub", Ct);
            await node.StandardInput.WriteLineAsync("go".AsMemory(), Ct);
            await node.StandardInput.FlushAsync(Ct);

            var done = await ReadPhaseAsync(node, stderr);
            Assert.Equal("done", (string)done["phase"]!);
            Assert.True((bool)done["changed"]!);
            var active = done["active"]!.AsArray().Select(a => a!.AsObject()).ToList();
            Assert.Equal(2, active.Count);
            Assert.All(active, a =>
            {
                Assert.Equal("active", (string)a["status"]!);
                Assert.Equal(OpenViduRpcClient.Platform, (string)a["platform"]!);
                Assert.StartsWith("cli-", (string)a["clientData"]!, StringComparison.Ordinal);
                Assert.Equal("data-" + (string)a["role"]!, (string)a["serverData"]!);
            });
            Assert.Equal([(string)connections["MODERATOR"]!["connectionId"]!], done["afterDisconnect"]!.AsArray().Select(n => (string)n!));
            Assert.Equal(200, (int)done["signalStatus"]!);
            Assert.Equal(0, (int)done["activeSessionsAfterClose"]!);
            Assert.Contains("404", (string)done["createAfterClose"]!, StringComparison.Ordinal);

            var evicted = await publisher.WaitForNotificationAsync("participantEvicted");
            Assert.Equal("forceDisconnectByServer", (string)evicted["reason"]!);
            var signal = await moderator.WaitForNotificationAsync("sendMessage");
            Assert.Equal("""{"data":"from node","type":"signal:chat"}""", signal.ToJsonString());
            var closed = await moderator.WaitForNotificationAsync("participantEvicted", p => (string?)p["reason"] == "sessionClosedByServer");
            Assert.Equal((string)connections["MODERATOR"]!["connectionId"]!, (string)closed["connectionId"]!);
            Assert.Empty(room.Controls.Sessions);

            await node.WaitForExitAsync(Ct).WaitAsync(StepTimeout, Ct);
            Assert.Equal(0, node.ExitCode);
        }
        finally
        {
            if (!node.HasExited)
            {
                node.Kill();
            }
        }
    }

    private static async Task<JsonObject> ReadPhaseAsync(Process node, Task<string> stderr)
    {
        // openvidu-node-client logs to stdout as well; the script marks its own lines with "@@".
        string? line;
        do
        {
            line = await node.StandardOutput.ReadLineAsync(Ct).AsTask().WaitAsync(StepTimeout, Ct);
        }
        while (line is not null && !line.StartsWith("@@", StringComparison.Ordinal));

        if (line is null)
        {
            await node.WaitForExitAsync(Ct).WaitAsync(StepTimeout, Ct);
            Assert.Fail($"node exited with {node.ExitCode}: {await stderr}");
        }

        var json = JsonNode.Parse(line[2..])!.AsObject();
        Assert.True((string?)json["phase"] != "error", line);
        return json;
    }
}
