using System.Text.Json.Nodes;

namespace OpenViduEmulator.Tests.Infrastructure;

/// <summary>An emulator, a REST client and the RPC participants a test joined; disposes all of them.</summary>
internal sealed class EmulatorRoom : IAsyncDisposable
{
    private readonly List<OpenViduRpcClient> clients = [];

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
        var client = await OpenViduRpcClient.JoinAsync(token, clientData, TestContext.Current.CancellationToken);
        clients.Add(client);
        return new Participant(connectionId, token, client, client.JoinResult);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        Http.Dispose();
        await Emulator.DisposeAsync();
    }
}

internal sealed record Participant(string ConnectionId, string Token, OpenViduRpcClient Rpc, JsonObject JoinResult)
{
    public Task<string> PublishAsync() => Rpc.PublishAsync();
}
