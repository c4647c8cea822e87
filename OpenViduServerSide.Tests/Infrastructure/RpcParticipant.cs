using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenViduServerSide.Tests.Infrastructure;

/// <summary>
/// A bare browser stand-in: joins an OpenVidu session over the JSON-RPC WebSocket with a token (contract §3.2) and leaves.
/// Lets server tests make connections active, so OpenVidu (the emulator) sends its participant webhooks, without Chromium.
/// </summary>
public sealed class RpcParticipant : IAsyncDisposable
{
    private readonly ClientWebSocket socket = new();
    private int nextId;

    public string ConnectionId { get; private set; } = "";

    public static async Task<RpcParticipant> JoinAsync(string token, string nickname, CancellationToken cancellationToken)
    {
        var tokenUri = new Uri(token);
        var query = System.Web.HttpUtility.ParseQueryString(tokenUri.Query);
        var participant = new RpcParticipant();
        await participant.socket.ConnectAsync(new Uri($"{tokenUri.Scheme}://{tokenUri.Authority}/openvidu?sessionId={query["sessionId"]}"), cancellationToken);
        var result = await participant.CallAsync("joinRoom", new JsonObject
        {
            ["token"] = token,
            ["session"] = query["sessionId"],
            ["platform"] = "test",
            ["sdkVersion"] = "2.32.2",
            ["metadata"] = $"{{\"clientData\":\"{nickname}\"}}",
            ["secret"] = "",
            ["recorder"] = false,
        }, cancellationToken);
        participant.ConnectionId = result["id"]!.GetValue<string>();
        return participant;
    }

    public Task LeaveAsync(CancellationToken cancellationToken) => CallAsync("leaveRoom", new JsonObject(), cancellationToken);

    private async Task<JsonObject> CallAsync(string method, JsonObject parameters, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref nextId);
        var request = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters };
        await socket.SendAsync(Encoding.UTF8.GetBytes(request.ToJsonString()), WebSocketMessageType.Text, true, cancellationToken);
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult received;
            do
            {
                received = await socket.ReceiveAsync(buffer, cancellationToken);
                message.Write(buffer, 0, received.Count);
            }
            while (!received.EndOfMessage);

            var frame = JsonNode.Parse(message.ToArray())!.AsObject();
            if (frame["id"]?.GetValue<int>() != id)
            {
                continue; // a notification, or another answer
            }

            if (frame["error"] is { } error)
            {
                throw new InvalidOperationException($"{method} failed: {error.ToJsonString()}");
            }

            return frame["result"]!.AsObject();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (socket.State == WebSocketState.Open)
        {
            try
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
            }
            catch (WebSocketException)
            {
                // Already dropped by the test.
            }
        }

        socket.Dispose();
    }
}
