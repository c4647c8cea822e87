using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenViduEmulator.State;

namespace OpenViduEmulator.Media;

/// <summary>A Janus error: Janus's own (<c>janus:"error"</c>) or a plugin's (<c>error_code</c>).</summary>
internal sealed class JanusException(int code, string message) : Exception($"Janus error {code}: {message}")
{
    public int Code { get; } = code;
}

/// <summary>
/// Janus's HTTP API (janus.transport.http). Requests are POSTs; a plugin request that Janus answers
/// asynchronously gets an <c>ack</c>, and its result arrives later on the session's long poll (GET), matched by
/// transaction. Every URL is under the configured base, which must be a loopback address.
/// </summary>
internal sealed partial class JanusClient : IDisposable
{
    private readonly HttpClient http;
    private readonly Uri @base;
    private readonly ILogger logger;
    private readonly CancellationTokenSource closing = new();

    public JanusClient(Uri baseUrl, ILogger logger)
    {
        if (!baseUrl.IsLoopback)
        {
            throw new ArgumentException($"Janus must be on a loopback address, not {baseUrl}", nameof(baseUrl));
        }

        @base = new Uri(baseUrl.ToString().TrimEnd('/') + "/");
        this.logger = logger;
        // No proxy: a proxy from the environment must never see loopback traffic. No timeout: long polls last 30 s.
        http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Cancelled on dispose: ends every session's long poll.</summary>
    internal CancellationToken Closing => closing.Token;

    public async Task<JsonObject> InfoAsync(CancellationToken ct)
    {
        using var response = await http.GetAsync(new Uri(@base, "info"), ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonObject>(ct) ?? throw new JanusException(0, "empty info");
    }

    public async Task<JanusSession> CreateSessionAsync(CancellationToken ct)
    {
        var reply = await PostAsync("", new JsonObject { ["janus"] = "create" }, ct);
        var session = new JanusSession(this, reply["data"]!["id"]!.GetValue<long>());
        session.StartEventLoop();
        return session;
    }

    internal async Task<JsonObject> PostAsync(string path, JsonObject body, CancellationToken ct)
    {
        body["transaction"] ??= Ids.NewOpaque(12);
        using var response = await http.PostAsJsonAsync(new Uri(@base, path), body, ct);
        response.EnsureSuccessStatusCode();
        var reply = await response.Content.ReadFromJsonAsync<JsonObject>(ct) ?? throw new JanusException(0, "empty reply");
        if ((string?)reply["janus"] == "error")
        {
            throw new JanusException((int?)reply["error"]?["code"] ?? 0, (string?)reply["error"]?["reason"] ?? "unknown");
        }

        return reply;
    }

    internal async Task<JsonArray> PollAsync(long sessionId, CancellationToken ct)
    {
        using var response = await http.GetAsync(new Uri(@base, $"{sessionId}?maxev=10"), ct);
        response.EnsureSuccessStatusCode();
        var reply = await response.Content.ReadFromJsonAsync<JsonNode>(ct);
        if (reply is JsonObject { } error && (string?)error["janus"] == "error")
        {
            // E.g. 458 "No such session" once it was destroyed or timed out: the poll loop ends.
            throw new JanusException((int?)error["error"]?["code"] ?? 0, (string?)error["error"]?["reason"] ?? "unknown");
        }

        return reply switch
        {
            JsonArray events => events,
            JsonObject single => [single.DeepClone()],
            _ => [],
        };
    }

    public void Dispose()
    {
        closing.Cancel();
        http.Dispose();
        closing.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Janus session {SessionId} event loop ended: {Reason}")]
    internal partial void LogLoopEnded(long sessionId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Janus teardown failed: {Reason}")]
    internal partial void LogTeardownFailed(string reason);
}

/// <summary>
/// One Janus session (one per OpenVidu participant). Its long poll doubles as keep-alive and delivers
/// plugin results (by transaction) and handle events (<c>webrtcup</c>, <c>hangup</c>) by sender.
/// </summary>
internal sealed class JanusSession(JanusClient client, long id)
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonObject>> pending = new();
    private readonly ConcurrentDictionary<long, JanusHandle> handles = new();
    private volatile bool destroyed;

    public long Id { get; } = id;

    internal JanusClient Client => client;

    public async Task<JanusHandle> AttachAsync(CancellationToken ct)
    {
        var reply = await client.PostAsync($"{Id}", new JsonObject { ["janus"] = "attach", ["plugin"] = "janus.plugin.videoroom" }, ct);
        var handle = new JanusHandle(this, reply["data"]!["id"]!.GetValue<long>());
        handles[handle.Id] = handle;
        return handle;
    }

    /// <summary>POSTs to a handle; when Janus only acks, waits for the event with the same transaction.</summary>
    internal async Task<JsonObject> SendAsync(long handleId, JsonObject body, CancellationToken ct)
    {
        var transaction = Ids.NewOpaque(12);
        body["transaction"] = transaction;
        var result = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[transaction] = result;
        try
        {
            var reply = await client.PostAsync($"{Id}/{handleId}", body, ct);
            if ((string?)reply["janus"] != "ack" || (string?)body["janus"] == "trickle")
            {
                return reply;
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, client.Closing);
            return await result.Task.WaitAsync(linked.Token);
        }
        finally
        {
            pending.TryRemove(transaction, out _);
        }
    }

    internal void Forget(long handleId) => handles.TryRemove(handleId, out _);

    internal void StartEventLoop() => _ = EventLoopAsync();

    private async Task EventLoopAsync()
    {
        var reason = "stopped";
        try
        {
            while (!destroyed)
            {
                foreach (var node in await client.PollAsync(Id, client.Closing))
                {
                    if (node is JsonObject message)
                    {
                        Dispatch(message);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or OperationCanceledException or JanusException or ObjectDisposedException)
        {
            reason = ex.Message;
        }
        finally
        {
            client.LogLoopEnded(Id, reason);
            foreach (var handle in handles.Values)
            {
                handle.OnGone();
            }

            foreach (var pending in pending.Values)
            {
                pending.TrySetException(new JanusException(0, "Janus session ended: " + reason));
            }
        }
    }

    private void Dispatch(JsonObject message)
    {
        var kind = (string?)message["janus"];
        if ((string?)message["transaction"] is { } transaction && kind is "event" or "error" && pending.TryGetValue(transaction, out var waiter))
        {
            waiter.TrySetResult(message);
            return;
        }

        if (message["sender"] is JsonValue sender && sender.TryGetValue<long>(out var handleId) && handles.TryGetValue(handleId, out var handle))
        {
            handle.OnEvent(kind, message);
        }
    }

    /// <summary>Destroys the session on Janus (which detaches its handles and hangs up their PeerConnections).</summary>
    public async Task DestroyAsync()
    {
        try
        {
            await client.PostAsync($"{Id}", new JsonObject { ["janus"] = "destroy" }, CancellationToken.None);
        }
        catch (Exception ex) when (ex is HttpRequestException or JanusException or JsonException)
        {
            client.LogTeardownFailed(ex.Message);
        }
        finally
        {
            destroyed = true;
        }
    }
}

/// <summary>A VideoRoom plugin handle (one per publisher PeerConnection or subscriber PeerConnection).</summary>
internal sealed class JanusHandle(JanusSession session, long id)
{
    private TaskCompletionSource webrtcUp = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Id { get; } = id;

    /// <summary>Completes when Janus reports the PeerConnection up (ICE + DTLS done); renewed after a hangup.</summary>
    public Task WebRtcUp => Volatile.Read(ref webrtcUp).Task;

    /// <summary>A plugin request: returns <c>plugindata.data</c> and the jsep, or throws the plugin's error.</summary>
    public async Task<(JsonObject Data, JsonObject? Jsep)> RequestAsync(JsonObject body, JsonObject? jsep = null, CancellationToken ct = default)
    {
        var message = new JsonObject { ["janus"] = "message", ["body"] = body };
        if (jsep is not null)
        {
            message["jsep"] = jsep;
        }

        var reply = await session.SendAsync(Id, message, ct);
        if ((string?)reply["janus"] == "error")
        {
            throw new JanusException((int?)reply["error"]?["code"] ?? 0, (string?)reply["error"]?["reason"] ?? "unknown");
        }

        var data = reply["plugindata"]?["data"] as JsonObject ?? throw new JanusException(0, "no plugin data in " + reply.ToJsonString());
        if (data["error_code"] is JsonValue code)
        {
            throw new JanusException(code.GetValue<int>(), (string?)data["error"] ?? "plugin error");
        }

        return (data, reply["jsep"] as JsonObject);
    }

    public Task TrickleAsync(JsonObject candidate, CancellationToken ct = default) =>
        session.SendAsync(Id, new JsonObject { ["janus"] = "trickle", ["candidate"] = candidate }, ct);

    public async Task DetachAsync()
    {
        session.Forget(Id);
        try
        {
            await session.SendAsync(Id, new JsonObject { ["janus"] = "detach" }, CancellationToken.None);
        }
        catch (Exception ex) when (ex is HttpRequestException or JanusException or JsonException or OperationCanceledException)
        {
            session.Client.LogTeardownFailed(ex.Message);
        }
    }

    internal void OnEvent(string? kind, JsonObject message)
    {
        switch (kind)
        {
            case "webrtcup":
                Volatile.Read(ref webrtcUp).TrySetResult();
                break;
            case "hangup":
                // An ICE restart may bring it up again: later waiters wait for the next webrtcup.
                var old = Volatile.Read(ref webrtcUp);
                if (old.Task.IsCompleted)
                {
                    Interlocked.CompareExchange(ref webrtcUp, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), old);
                }

                break;
        }
    }

    internal void OnGone() => Volatile.Read(ref webrtcUp).TrySetException(new JanusException(0, "Janus handle gone"));
}
