using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace OpenViduEmulator.Testing;

/// <summary>
/// A browser stand-in for tests: a JSON-RPC 2.0 WebSocket client that speaks to <c>/openvidu</c> like openvidu-browser
/// does (integer ids from 0, ping first, then joinRoom; docs/openvidu-contract.md §3), can publish with a fake SDP
/// offer, and records every notification for later assertions. Used by the emulator's tests and the app's tests.
/// </summary>
/// <remarks>
/// The cancellation token given to <see cref="OpenAsync"/> or <see cref="JoinAsync"/> (the test's) covers every call.
/// Each request and each wait gives up after <see cref="Timeout"/>.
/// </remarks>
public sealed class OpenViduRpcClient : IAsyncDisposable
{
    private readonly ClientWebSocket socket = new();
    private readonly Dictionary<long, TaskCompletionSource<JsonObject>> pending = [];
    private readonly List<JsonObject> notifications = [];
    private readonly Lock gate = new();
    private readonly Channel<bool> notified = Channel.CreateUnbounded<bool>();
    private readonly CancellationTokenSource stop = new();
    private readonly CancellationToken cancellationToken;
    private Task reader = Task.CompletedTask;
    private long nextId;

    private OpenViduRpcClient(CancellationToken cancellationToken) => this.cancellationToken = cancellationToken;

    /// <summary>What joinRoom tells the server this client is (OpenVidu reports it back as the connection's platform).</summary>
    public const string Platform = "RpcTestClient on .NET";

    /// <summary>How long a request waits for its response, and a notification wait for its notification.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The connection id joinRoom returned (empty before joining).</summary>
    public string ConnectionId { get; private set; } = "";

    /// <summary>The result of joinRoom (empty before joining).</summary>
    public JsonObject JoinResult { get; private set; } = [];

    public WebSocketCloseStatus? CloseStatus => socket.CloseStatus;

    /// <summary>True once the server closed or dropped the socket.</summary>
    public bool Closed { get; private set; }

    /// <summary>Server → browser notifications so far (whole frames: method and params), in order.</summary>
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

    /// <summary>The metadata openvidu-browser sends for a nickname: <c>{"clientData":"…"}</c>.</summary>
    public static string ClientData(string nickname) => new JsonObject { ["clientData"] = nickname }.ToJsonString();

    /// <summary>Opens <c>ws://host:port/openvidu?sessionId=…</c> for a token URL, as the SDK does; joins nothing yet.</summary>
    public static async Task<OpenViduRpcClient> OpenAsync(string token, CancellationToken cancellationToken = default)
    {
        var uri = new Uri(token);
        var client = new OpenViduRpcClient(cancellationToken);
        await client.socket.ConnectAsync(new Uri($"{uri.Scheme}://{uri.Authority}/openvidu?sessionId={SessionIdOf(token)}"), cancellationToken);
        client.reader = client.ReadLoopAsync();
        return client;
    }

    /// <summary>Opens a socket, pings and joins with the token; <see cref="ConnectionId"/> and <see cref="JoinResult"/> say as whom.</summary>
    public static async Task<OpenViduRpcClient> JoinAsync(string token, string metadata = "", CancellationToken cancellationToken = default)
    {
        var client = await OpenAsync(token, cancellationToken);
        try
        {
            await client.CallAsync("ping", new JsonObject { ["interval"] = 5000 });
            client.JoinResult = await client.InvokeAsync("joinRoom", new JsonObject
            {
                ["token"] = token,
                ["session"] = SessionIdOf(token),
                ["platform"] = Platform,
                ["sdkVersion"] = "2.32.2",
                ["metadata"] = metadata,
                ["secret"] = "",
                ["recorder"] = false,
                ["stt"] = false,
            });
            client.ConnectionId = (string?)client.JoinResult["id"] ?? "";
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends a request and returns the whole response frame (with result or error).</summary>
    public async Task<JsonObject> CallAsync(string method, JsonObject? parameters = null)
    {
        var answer = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        long id;
        lock (gate)
        {
            id = nextId++;
            pending[id] = answer;
        }

        var frame = new JsonObject { ["id"] = id, ["method"] = method, ["jsonrpc"] = "2.0" };
        if (parameters is not null)
        {
            frame["params"] = parameters;
        }

        await socket.SendAsync(Encoding.UTF8.GetBytes(frame.ToJsonString()), WebSocketMessageType.Text, true, cancellationToken);
        return await answer.Task.WaitAsync(Timeout, cancellationToken);
    }

    /// <summary>Sends a request and returns its result; throws if the server answered with an error.</summary>
    public async Task<JsonObject> InvokeAsync(string method, JsonObject? parameters = null)
    {
        var response = await CallAsync(method, parameters);
        return response["result"] as JsonObject ?? throw new InvalidOperationException($"{method} failed: {response.ToJsonString()}");
    }

    /// <summary>Publishes a camera stream with a fake offer (<see cref="FakeSdp"/>); returns its stream id.</summary>
    public async Task<string> PublishAsync(bool hasAudio = true)
    {
        var result = await InvokeAsync("publishVideo", new JsonObject
        {
            ["doLoopback"] = false,
            ["hasAudio"] = hasAudio,
            ["hasVideo"] = true,
            ["audioActive"] = hasAudio,
            ["videoActive"] = true,
            ["typeOfVideo"] = "CAMERA",
            ["frameRate"] = 30,
            ["videoDimensions"] = """{"width":640,"height":480}""",
            ["sdpOffer"] = FakeSdp.Offer("sendonly"),
        });
        return (string?)result["id"] ?? throw new InvalidOperationException(result.ToJsonString());
    }

    public Task<JsonObject> LeaveAsync() => InvokeAsync("leaveRoom", []);

    /// <summary>The params of every notification with that method so far.</summary>
    public IReadOnlyList<JsonObject> NotificationsOf(string method) =>
        [.. Notifications.Where(n => (string?)n["method"] == method).Select(n => n["params"]!.AsObject())];

    /// <summary>Waits for a notification with that method (and matching params) to have arrived; returns its params.</summary>
    public async Task<JsonObject> WaitForNotificationAsync(string method, Func<JsonObject, bool>? match = null)
    {
        var frame = await WaitForNotificationAsync(n => (string?)n["method"] == method && (match?.Invoke(n["params"]!.AsObject()) ?? true), Timeout, cancellationToken);
        return frame["params"]!.AsObject();
    }

    /// <summary>Waits for a notification frame matching <paramref name="match"/> (it may have arrived already); returns the frame.</summary>
    public async Task<JsonObject> WaitForNotificationAsync(Func<JsonObject, bool> match, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        while (true)
        {
            if (Notifications.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            try
            {
                await notified.Reader.ReadAsync(timer.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No such notification within {timeout}; got: {string.Join(", ", Notifications.Select(n => n.ToJsonString()))}");
            }
        }
    }

    /// <summary>Waits until the server closes the socket (close frame or abort).</summary>
    public Task WaitForCloseAsync(TimeSpan timeout) => reader.WaitAsync(timeout, cancellationToken);

    private static string? SessionIdOf(string token) => System.Web.HttpUtility.ParseQueryString(new Uri(token).Query)["sessionId"];

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(buffer, stop.Token);
                    message.Write(buffer, 0, received.Count);
                }
                while (!received.EndOfMessage);

                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                var frame = JsonNode.Parse(message.ToArray())!.AsObject();
                if (frame["id"] is { } idNode && frame["method"] is null)
                {
                    TaskCompletionSource<JsonObject>? answer;
                    lock (gate)
                    {
                        pending.Remove(idNode.GetValue<long>(), out answer);
                    }

                    answer?.TrySetResult(frame);
                }
                else
                {
                    lock (gate)
                    {
                        notifications.Add(frame);
                    }

                    notified.Writer.TryWrite(true);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // Dropped by the server or by the test.
        }
        finally
        {
            Closed = true;
            notified.Writer.TryWrite(true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (socket.State == WebSocketState.Open)
        {
            try
            {
                using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", closing.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
            {
                // Already dropped by the server (the state said open a moment before): a broken pipe on the close frame.
            }
        }

        await stop.CancelAsync();
        try
        {
            await reader;
        }
        finally
        {
            socket.Dispose();
            stop.Dispose();
        }
    }
}
