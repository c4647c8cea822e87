using System.Text.Json.Nodes;

namespace OpenViduEmulator.Tests.Infrastructure;

/// <summary>An emulator, a REST client and the RPC participants a test joined; disposes all of them.</summary>
internal sealed class EmulatorRoom : IAsyncDisposable
{
    private readonly List<RpcTestClient> _clients = [];

    private EmulatorRoom(OpenViduEmulatorServer emulator)
    {
        Emulator = emulator;
        Http = EmulatorHttp.Client(emulator);
    }

    public OpenViduEmulatorServer Emulator { get; }

    public HttpClient Http { get; }

    public EmulatorControls Controls => Emulator.Controls;

    public static async Task<EmulatorRoom> StartAsync(EmulatorOptions? options = null) =>
        new(await OpenViduEmulatorServer.StartAsync(options ?? new EmulatorOptions(), TestContext.Current.CancellationToken));

    /// <summary>Creates a connection with REST and joins it over the WebSocket.</summary>
    public async Task<Participant> JoinAsync(string sessionId, string role = "PUBLISHER", string serverData = "", string clientData = "")
    {
        var (connectionId, token) = await Http.CreateConnectionAsync(sessionId, role, serverData);
        var (client, result) = await RpcTestClient.JoinAsync(token, clientData);
        _clients.Add(client);
        return new Participant(connectionId, token, client, result);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        Http.Dispose();
        await Emulator.DisposeAsync();
    }
}

internal sealed record Participant(string ConnectionId, string Token, RpcTestClient Rpc, JsonObject JoinResult)
{
    public async Task<string> PublishAsync()
    {
        var response = await Rpc.CallAsync("publishVideo", new JsonObject
        {
            ["doLoopback"] = false,
            ["hasAudio"] = true,
            ["hasVideo"] = true,
            ["audioActive"] = true,
            ["videoActive"] = true,
            ["typeOfVideo"] = "CAMERA",
            ["frameRate"] = 30,
            ["videoDimensions"] = """{"width":640,"height":480}""",
            ["sdpOffer"] = FakeSdp.Offer("sendonly"),
        });
        return (string?)response["result"]?["id"] ?? throw new InvalidOperationException(response.ToJsonString());
    }
}
