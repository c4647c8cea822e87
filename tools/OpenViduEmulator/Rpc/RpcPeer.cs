using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using OpenViduEmulator.State;

namespace OpenViduEmulator.Rpc;

/// <summary>
/// One browser WebSocket on /openvidu. Outgoing frames go through a queue so that they can be sent while
/// the engine's lock is held, in the order of the state changes; one loop reads requests, one writes frames.
/// </summary>
internal sealed class RpcPeer(HttpContext context, WebSocket socket)
{
    private readonly Channel<string?> outbox = Channel.CreateUnbounded<string?>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock abortGate = new();
    private bool finished;
    private CancellationTokenSource? watchdog;

    /// <summary>The JSON-RPC session id (Kurento layer), returned in every result as <c>sessionId</c>.</summary>
    public string RpcSessionId { get; } = Ids.NewOpaque(26).ToLowerInvariant();

    /// <summary>The client IP, honouring <c>X-Real-IP</c> as OpenVidu does.</summary>
    public string RemoteIp { get; } = context.Request.Headers["X-Real-IP"].FirstOrDefault()
        ?? context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>The client's TCP port.</summary>
    public int RemotePort { get; } = context.Connection.RemotePort;

    /// <summary>The participant this socket joined as. Guarded by the engine's lock.</summary>
    public EmulatedConnection? Participant { get; set; }

    public void Notify(string method, JsonObject parameters) =>
        Enqueue(new JsonObject { ["method"] = method, ["params"] = parameters, ["jsonrpc"] = "2.0" });

    public void Respond(JsonNode? id, JsonObject result, bool injectSessionId = true)
    {
        if (injectSessionId)
        {
            result["sessionId"] = RpcSessionId;
        }

        Enqueue(new JsonObject { ["id"] = id?.DeepClone(), ["result"] = result, ["jsonrpc"] = "2.0" });
    }

    public void RespondError(JsonNode? id, int code, string message, JsonNode? data = null)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message };
        if (data is not null)
        {
            error["data"] = data;
        }

        Enqueue(new JsonObject { ["id"] = id?.DeepClone(), ["error"] = error, ["jsonrpc"] = "2.0" });
    }

    private void Enqueue(JsonObject frame) => outbox.Writer.TryWrite(JsonText.Write(frame));

    /// <summary>Closes the socket with a close frame after <paramref name="delay"/> unless the client closed it first.</summary>
    public void CloseAfter(TimeSpan delay) =>
        _ = Task.Delay(delay, context.RequestAborted).ContinueWith(
            _ => outbox.Writer.TryWrite(null), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);

    /// <summary>True once the socket has ended (a participant may still be waiting for its browser to reconnect).</summary>
    public bool Closed
    {
        get
        {
            lock (abortGate)
            {
                return finished;
            }
        }
    }

    /// <summary>The ping interval the client announced in its first ping; zero before that.</summary>
    public TimeSpan PingInterval { get; set; }

    /// <summary>True once the ping watchdog closed this socket: the client went silent, its participant is evicted at once.</summary>
    public bool Silenced { get; private set; }

    /// <summary>A ping arrived: the socket is closed (without a close frame) if the next one is not here within <paramref name="timeout"/>.</summary>
    public void Pinged(TimeSpan timeout)
    {
        var watchdog = new CancellationTokenSource();
        var previous = Interlocked.Exchange(ref this.watchdog, watchdog);
        previous?.Cancel();
        previous?.Dispose();
        _ = Task.Delay(timeout, watchdog.Token).ContinueWith(
            _ =>
            {
                Silenced = true;
                Abort();
            },
            CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }

    /// <summary>Drops the TCP connection without a close frame.</summary>
    public void Abort()
    {
        outbox.Writer.TryComplete();
        lock (abortGate)
        {
            // Once the request has ended, ASP.NET Core may recycle the HttpContext: leave it alone.
            if (finished)
            {
                return;
            }

            socket.Abort();
            context.Abort();
        }
    }

    /// <summary>Serves the socket until it closes; each request goes to <paramref name="handle"/>.</summary>
    public async Task RunAsync(Action<RpcPeer, JsonObject> handle)
    {
        var ct = context.RequestAborted;
        var writer = WriteLoopAsync(ct);
        try
        {
            var buffer = new ArrayBufferWriter<byte>();
            while (socket.State == WebSocketState.Open)
            {
                buffer.Clear();
                ValueWebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(buffer.GetMemory(4096), ct);
                    buffer.Advance(received.Count);
                }
                while (!received.EndOfMessage);

                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                JsonObject? request = null;
                try
                {
                    request = JsonNode.Parse(buffer.WrittenSpan) as JsonObject;
                }
                catch (JsonException)
                {
                }

                if (request is null)
                {
                    RespondError(null, -32700, "Parse error");
                    continue;
                }

                handle(this, request);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ConnectionAbortedException)
        {
            // Socket lost: the caller evicts the participant.
        }
        finally
        {
            watchdog?.Cancel();
            outbox.Writer.TryComplete();
            await writer;
            lock (abortGate)
            {
                finished = true;
            }
        }
    }

    private async Task WriteLoopAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var frame in outbox.Reader.ReadAllAsync(ct))
            {
                if (frame is null)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", ct);
                    return;
                }

                await socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, endOfMessage: true, ct);
            }

            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", ct);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException or ConnectionAbortedException)
        {
        }
    }
}
