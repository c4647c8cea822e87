using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenViduServerSide.Tests.Infrastructure;

/// <summary>
/// A bare browser stand-in: joins an OpenVidu session over the JSON-RPC WebSocket with a token (contract §3.2), can
/// publish, records the notifications it gets, and leaves. Lets server tests make connections active (so OpenVidu, the
/// emulator here, sends its participant webhooks) and see what a browser would be told, without Chromium.
/// </summary>
public sealed class RpcParticipant : IAsyncDisposable
{
    // A minimal offer for one video track; the emulator answers it as it would Chrome's.
    private const string VideoOffer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n" +
        "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendonly\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\n" +
        "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\na=setup:actpass\r\n";

    private readonly ClientWebSocket socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonObject>> pending = new();
    private readonly CancellationTokenSource stop = new();
    private readonly List<JsonObject> notifications = [];
    private readonly Lock gate = new();
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? receiving;
    private int nextId;

    public string ConnectionId { get; private set; } = "";

    /// <summary>Server → browser notifications so far (method and params), in order.</summary>
    public IReadOnlyList<JsonObject> Notifications
    {
        get
        {
            lock (gate)
            {
                return [.. notifications];
            }
        }
    }

    public static async Task<RpcParticipant> JoinAsync(string token, string nickname, CancellationToken cancellationToken)
    {
        var tokenUri = new Uri(token);
        var query = System.Web.HttpUtility.ParseQueryString(tokenUri.Query);
        var participant = new RpcParticipant();
        await participant.socket.ConnectAsync(new Uri($"{tokenUri.Scheme}://{tokenUri.Authority}/openvidu?sessionId={query["sessionId"]}"), cancellationToken);
        participant.receiving = participant.ReceiveLoopAsync();
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

    /// <summary>Publishes a camera stream; returns its stream id.</summary>
    public async Task<string> PublishAsync(CancellationToken cancellationToken)
    {
        var result = await CallAsync("publishVideo", new JsonObject
        {
            ["doLoopback"] = false, ["hasAudio"] = false, ["hasVideo"] = true, ["audioActive"] = false, ["videoActive"] = true,
            ["typeOfVideo"] = "CAMERA", ["frameRate"] = 30, ["videoDimensions"] = "{\"width\":640,\"height\":480}", ["sdpOffer"] = VideoOffer,
        }, cancellationToken);
        return result["id"]!.GetValue<string>();
    }

    public Task LeaveAsync(CancellationToken cancellationToken) => CallAsync("leaveRoom", new JsonObject(), cancellationToken);

    /// <summary>Completes when a notification matching <paramref name="match"/> has arrived (it may have already).</summary>
    public async Task<JsonObject> WaitForNotificationAsync(Func<JsonObject, bool> match, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        while (true)
        {
            Task next;
            lock (gate)
            {
                if (notifications.FirstOrDefault(match) is { } found)
                {
                    return found;
                }

                next = changed.Task;
            }

            try
            {
                await next.WaitAsync(timer.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No such notification within {timeout}; got: {string.Join(", ", Notifications.Select(n => n.ToJsonString()))}");
            }
        }
    }

    private async Task<JsonObject> CallAsync(string method, JsonObject parameters, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref nextId);
        var answer = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = answer;
        var request = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters };
        await socket.SendAsync(Encoding.UTF8.GetBytes(request.ToJsonString()), WebSocketMessageType.Text, true, cancellationToken);
        var frame = await answer.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        if (frame["error"] is { } error)
        {
            throw new InvalidOperationException($"{method} failed: {error.ToJsonString()}");
        }

        return frame["result"]!.AsObject();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (!stop.IsCancellationRequested && socket.State == WebSocketState.Open)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(buffer, stop.Token);
                    message.Write(buffer, 0, received.Count);
                }
                while (!received.EndOfMessage && received.MessageType != WebSocketMessageType.Close);

                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                var frame = JsonNode.Parse(message.ToArray())!.AsObject();
                if (frame["id"] is { } id && pending.TryRemove(id.GetValue<int>(), out var answer))
                {
                    answer.TrySetResult(frame);
                }
                else if (frame["method"] is not null)
                {
                    lock (gate)
                    {
                        notifications.Add(frame);
                        changed.TrySetResult();
                        changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    }
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // Dropped by the server or by the test.
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
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
            {
                // Already dropped by the server (the state said open a moment before): a broken pipe on the close frame.
            }
        }

        await stop.CancelAsync();
        if (receiving is not null)
        {
            await receiving;
        }

        socket.Dispose();
        stop.Dispose();
    }
}
