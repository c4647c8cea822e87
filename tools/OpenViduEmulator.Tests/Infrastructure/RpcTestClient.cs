using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace OpenViduEmulator.Tests.Infrastructure;

/// <summary>
/// A minimal JSON-RPC 2.0 WebSocket client that speaks to /openvidu like openvidu-browser does: integer ids
/// from 0, ping first, then joinRoom. Collects every notification for later assertions.
/// </summary>
internal sealed class RpcTestClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly Dictionary<long, TaskCompletionSource<JsonObject>> _pending = [];
    private readonly List<JsonObject> _notifications = [];
    private readonly Lock _gate = new();
    private readonly Channel<bool> _notified = Channel.CreateUnbounded<bool>();
    private readonly CancellationTokenSource _stop = new();
    private Task _reader = Task.CompletedTask;
    private long _nextId;

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public bool Closed { get; private set; }

    /// <summary>Opens <c>ws://host:port/openvidu?sessionId=…</c> for a token URL, as the SDK does.</summary>
    public static async Task<RpcTestClient> OpenAsync(string token)
    {
        var uri = new Uri(token);
        var sessionId = System.Web.HttpUtility.ParseQueryString(uri.Query)["sessionId"];
        var client = new RpcTestClient();
        await client._socket.ConnectAsync(new Uri($"{uri.Scheme}://{uri.Authority}/openvidu?sessionId={sessionId}"), TestContext.Current.CancellationToken);
        client._reader = client.ReadLoopAsync();
        return client;
    }

    /// <summary>Opens a socket, pings and joins with the token; returns the client and the joinRoom result.</summary>
    public static async Task<(RpcTestClient Client, JsonObject Result)> JoinAsync(string token, string metadata = "")
    {
        var client = await OpenAsync(token);
        await client.CallAsync("ping", new JsonObject { ["interval"] = 5000 });
        var sessionId = System.Web.HttpUtility.ParseQueryString(new Uri(token).Query)["sessionId"];
        var response = await client.CallAsync("joinRoom", new JsonObject
        {
            ["token"] = token,
            ["session"] = sessionId,
            ["platform"] = "RpcTestClient on .NET",
            ["sdkVersion"] = "2.32.2",
            ["metadata"] = metadata,
            ["secret"] = "",
            ["recorder"] = false,
            ["stt"] = false,
        });
        return (client, response["result"]?.AsObject() ?? throw new InvalidOperationException("joinRoom failed: " + response.ToJsonString()));
    }

    /// <summary>Sends a request and returns the whole response frame (with result or error).</summary>
    public async Task<JsonObject> CallAsync(string method, JsonObject? parameters = null)
    {
        var tcs = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        long id;
        lock (_gate)
        {
            id = _nextId++;
            _pending[id] = tcs;
        }

        var frame = new JsonObject { ["id"] = id, ["method"] = method, ["jsonrpc"] = "2.0" };
        if (parameters is not null)
        {
            frame["params"] = parameters;
        }

        await _socket.SendAsync(Encoding.UTF8.GetBytes(frame.ToJsonString()), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
        return await tcs.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken);
    }

    public IReadOnlyList<JsonObject> Notifications
    {
        get
        {
            lock (_gate)
            {
                return [.. _notifications];
            }
        }
    }

    public IReadOnlyList<JsonObject> NotificationsOf(string method) =>
        [.. Notifications.Where(n => (string?)n["method"] == method).Select(n => n["params"]!.AsObject())];

    /// <summary>Waits for a notification with that method (and matching params) to have arrived.</summary>
    public async Task<JsonObject> WaitForNotificationAsync(string method, Func<JsonObject, bool>? match = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Timeout);
        while (true)
        {
            var found = NotificationsOf(method).FirstOrDefault(p => match?.Invoke(p) ?? true);
            if (found is not null)
            {
                return found;
            }

            try
            {
                await _notified.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No '{method}' notification; got: {string.Join(", ", Notifications.Select(n => n["method"]))}");
            }
        }
    }

    /// <summary>Waits until the server closes the socket (close frame or abort).</summary>
    public Task WaitForCloseAsync(TimeSpan timeout) => _reader.WaitAsync(timeout, TestContext.Current.CancellationToken);

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
                    received = await _socket.ReceiveAsync(buffer, _stop.Token);
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
                    TaskCompletionSource<JsonObject>? tcs;
                    lock (_gate)
                    {
                        _pending.Remove(idNode.GetValue<long>(), out tcs);
                    }

                    tcs?.TrySetResult(frame);
                }
                else
                {
                    lock (_gate)
                    {
                        _notifications.Add(frame);
                    }

                    _notified.Writer.TryWrite(true);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }
        finally
        {
            Closed = true;
            _notified.Writer.TryWrite(true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _reader;
        }
        finally
        {
            _socket.Dispose();
            _stop.Dispose();
        }
    }
}
