using OpenViduEmulator.Rest;
using OpenViduEmulator.State;
using OpenViduEmulator.Webhooks;

namespace OpenViduEmulator;

/// <summary>Test controls of a running emulator. Every member is thread-safe.</summary>
public sealed class EmulatorControls
{
    private readonly OpenViduEmulatorServer server;
    private readonly EmulatorEngine engine;
    private readonly RestFaults faults;
    private readonly WebhookDispatcher webhooks;
    private readonly ChangeSignal changes;

    internal EmulatorControls(OpenViduEmulatorServer server, EmulatorEngine engine, RestFaults faults, WebhookDispatcher webhooks, ChangeSignal changes)
    {
        this.server = server;
        this.engine = engine;
        this.faults = faults;
        this.webhooks = webhooks;
        this.changes = changes;
    }

    /// <summary>Raised (on the thread that changed it) after every change of state or of the webhook deliveries.</summary>
    public event EventHandler? Changed
    {
        add => changes.Changed += value;
        remove => changes.Changed -= value;
    }

    /// <summary>Delay added to every REST request under /openvidu/api.</summary>
    public TimeSpan Latency
    {
        get => faults.Latency;
        set => faults.Latency = value;
    }

    /// <summary>The next <paramref name="count"/> REST requests answer <paramref name="statusCode"/> with an error body.</summary>
    public void FailNext(int count, int statusCode) => faults.FailNext(count, statusCode);

    /// <summary>
    /// The next <paramref name="count"/> REST requests are carried out at once but answered only after
    /// <paramref name="delay"/>, even when the client has given up: a slow OpenVidu that still creates what it was asked for.
    /// </summary>
    public void DelayNextAnswers(int count, TimeSpan delay) => faults.DelayNextAnswers(count, delay);

    /// <summary>True between <see cref="GoDownAsync"/> and <see cref="GoUpAsync"/>.</summary>
    public bool IsDown => server.IsDown;

    /// <summary>
    /// Stops listening: every WebSocket is aborted (its participant is then evicted with networkDisconnect) and
    /// new connections are refused until <see cref="GoUpAsync"/>. Sessions are kept.
    /// </summary>
    public Task GoDownAsync(CancellationToken cancellationToken = default) => server.StopListeningAsync(cancellationToken);

    /// <summary>Listens again on the same port.</summary>
    public Task GoUpAsync(CancellationToken cancellationToken = default) => server.StartListeningAsync(cancellationToken);

    /// <summary>Forgets every session and token and aborts every WebSocket, like a server restart (no events).</summary>
    public void Restart() => engine.Reset();

    /// <summary>
    /// Aborts a participant's WebSocket without a close frame. The participant is evicted at once with reason
    /// networkDisconnect (participantLeft to the others and the webhook). False if it has no socket.
    /// </summary>
    public bool DropSocket(string connectionId) => engine.DropSocket(connectionId);

    /// <summary>
    /// The browser-side TCP port of a participant's WebSocket, or null if it has none: what a test needs to cut that one
    /// socket (and no other) with a firewall rule.
    /// </summary>
    public int? SocketPort(string connectionId) => engine.SocketPort(connectionId);

    /// <summary>Sends a server signal like POST /signal does. False when the session is unknown or has nobody in it.</summary>
    public bool PushSignal(string sessionId, string? type, string? data, IReadOnlyList<string>? to = null) => engine.Mutate(() =>
    {
        if (engine.FindSessionLocked(sessionId) is not { } session)
        {
            return false;
        }

        var active = session.ActiveConnections.ToList();
        var targets = to is { Count: > 0 } ? active.Where(c => to.Contains(c.Id)).ToList() : active;
        if (targets.Count == 0)
        {
            return false;
        }

        engine.SendSignalLocked(session, from: null, targets, type, data);
        return true;
    });

    /// <summary>A recording's status (starting, started, stopped, ready, failed), or null when there is no such recording.</summary>
    public string? RecordingStatus(string recordingId) => engine.Read(() => engine.FindRecordingLocked(recordingId)?.Status);

    /// <summary>The sessions now, with their connections and streams.</summary>
    public IReadOnlyList<SessionSnapshot> Sessions => Snapshot().Sessions;

    /// <summary>Holds back webhook deliveries until the handle is disposed; events queue meanwhile and then go out in order.</summary>
    public IDisposable HoldWebhooks() => webhooks.Hold();

    /// <summary>Every webhook delivery so far, in order, with the status got back.</summary>
    public IReadOnlyList<WebhookDelivery> WebhookDeliveries => webhooks.Deliveries;

    public EmulatorSnapshot Snapshot() => engine.Snapshot(webhooks.Deliveries, changes.Version);

    /// <summary>Completes with the first snapshot that satisfies <paramref name="condition"/>; throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public async Task<EmulatorSnapshot> WaitForAsync(Func<EmulatorSnapshot, bool> condition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        while (true)
        {
            var next = changes.NextChange;
            var snapshot = Snapshot();
            if (condition(snapshot))
            {
                return snapshot;
            }

            try
            {
                await next.WaitAsync(timer.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"The emulator did not reach the expected state within {timeout}. Last state: {Describe(snapshot)}");
            }
        }
    }

    private static string Describe(EmulatorSnapshot snapshot) =>
        string.Join("; ", snapshot.Sessions.Select(s =>
            $"{s.Id}[{string.Join(", ", s.Connections.Select(c => $"{c.Id}:{c.Status}{(c.Streams.Count > 0 ? "+stream" : "")}"))}]"))
        + $"; webhooks: {string.Join(",", snapshot.WebhookDeliveries.Select(d => d.Event))}";
}
