using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using OpenViduServerSide.OpenVidu;

namespace OpenViduServerSide.Features.Directory;

/// <summary>
/// The one place that knows who is in which call. Singleton, shared by every circuit: state sits behind one short lock,
/// readers get snapshots, and subscribers are called outside the lock (eShop's OrderStatusNotificationService shape).
/// It is fed by the app's own joins and leaves (through <see cref="ConnectionIssuer"/>, which mints and releases at
/// OpenVidu), by OpenVidu's webhooks (<see cref="OpenViduWebhook"/>), and by <see cref="DirectoryReconciler"/>; every
/// source keys participants by connection id, so one seen by two sources counts once. It does no I/O itself.
/// <para>
/// A call is one lifetime of an OpenVidu session, not its name: OpenVidu closes a session when its last participant leaves
/// and a new one may open under the same name a moment later, while the old one's webhooks are still on their way. Each
/// live session carries the <see cref="SessionIncarnation"/> it belongs to (OpenVidu's <c>uniqueSessionId</c>), events of
/// an earlier lifetime are ignored, and the call id is derived from it, so a restart finds the same call again.
/// </para>
/// </summary>
public sealed partial class CallDirectory(TimeProvider clock, ILogger<CallDirectory> logger)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, LiveSession> sessions = new(StringComparer.Ordinal);
    // Copy-on write: Subscribe and Dispose swap the array under the lock, Publish reads it without taking the lock.
    private volatile Subscription[] subscriptions = [];

    // Under the lock, like the sessions.
    private readonly DepartedConnections departed = new();

    // Who is removing which connection right now (see Removing): read when the connection leaves, by any source.
    private readonly ConcurrentDictionary<string, string> removers = new(StringComparer.Ordinal);

    // ---------- Reading ----------

    public IReadOnlyList<Participant> GetParticipants(string sessionName)
    {
        lock (gate)
        {
            return sessions.TryGetValue(sessionName, out var live)
                ? [.. live.Participants.Values.OrderBy(p => p.IssuedAt)]
                : [];
        }
    }

    /// <summary>Every connection of one user, in every call.</summary>
    public IReadOnlyList<Participant> ParticipantsOf(string userName)
    {
        lock (gate)
        {
            return [.. sessions.Values.SelectMany(s => s.Participants.Values).Where(p => p.UserName == userName)];
        }
    }

    public Participant? FindParticipant(string sessionName, string connectionId)
    {
        lock (gate)
        {
            return sessions.TryGetValue(sessionName, out var live) ? live.Participants.GetValueOrDefault(connectionId) : null;
        }
    }

    public IReadOnlyList<string> SessionNamesInUse
    {
        get
        {
            lock (gate)
            {
                return [.. sessions.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>The calls (OpenVidu session lifetimes) the directory holds now, by call id.</summary>
    public IReadOnlyCollection<Guid> LiveCallIds
    {
        get
        {
            lock (gate)
            {
                return [.. sessions.Values.Select(s => s.CallId)];
            }
        }
    }

    // ---------- Subscribing ----------

    /// <summary>Calls <paramref name="onChange"/> after every change to <paramref name="sessionName"/> (every session when null) until disposed.</summary>
    public IDisposable Subscribe(string? sessionName, Func<DirectoryChange, Task> onChange)
    {
        var subscription = new Subscription(this, sessionName, onChange);
        lock (gate)
        {
            subscriptions = [.. subscriptions, subscription];
        }

        return subscription;
    }

    /// <summary>
    /// Calls <paramref name="refresh"/> after changes to <paramref name="sessionName"/> (every session when null) until
    /// disposed: for pages, which read the directory again rather than the change. It runs on the thread pool, never on
    /// the thread that made the change (a join through the API would otherwise render every open page, one after
    /// another, before it answers); one refresh at a time, and the changes made while one runs are folded into the next.
    /// </summary>
    public IDisposable Watch(string? sessionName, Func<Task> refresh)
    {
        var watcher = new Watcher(this, sessionName, refresh);
        watcher.Subscription = Subscribe(sessionName, watcher.OnChange);
        return watcher;
    }

    internal int SubscriberCount
    {
        get
        {
            return subscriptions.Length;
        }
    }

    // ---------- Plumbing ----------

    private void MarkJoined(string sessionName, string connectionId, DateTimeOffset at) =>
        Apply(sessionName, null, connectionId, DirectoryChangeKind.Joined, at, null, (_, p) => p is null || p.IsActive ? p : p with { JoinedAt = at });

    private void Forget(string sessionName, string connectionId, string reason, DateTimeOffset at, string? removedBy = null)
    {
        List<DirectoryChange> changes = [];
        lock (gate)
        {
            departed.Remember(connectionId, clock.GetUtcNow());
            if (sessions.TryGetValue(sessionName, out var live) && live.Participants.Remove(connectionId, out var gone))
            {
                Uncounted(live, gone);
                changes.Add(new DirectoryChange(sessionName, live.CallId, DirectoryChangeKind.Left, at, gone, reason, removedBy ?? removers.GetValueOrDefault(connectionId) ?? RemoteRemover(connectionId)) { Incarnation = live.Incarnation });
                if (live.Participants.Count == 0)
                {
                    // OpenVidu closes a session when its last participant leaves (contract §1.6 rule 3).
                    sessions.Remove(sessionName);
                    changes.Add(new DirectoryChange(sessionName, live.CallId, DirectoryChangeKind.SessionEnded, at, Reason: "lastParticipantLeft") { Incarnation = live.Incarnation });
                }
            }
        }

        Publish(changes);
    }

    /// <summary>
    /// Changes one participant under the lock. <paramref name="change"/> gets the call id and the current value (null
    /// when unknown) and returns the new one (null: nothing to do). Creates the session's entry when needed.
    /// <paramref name="incarnation"/> (null when the source does not say) is the session lifetime the change belongs to:
    /// a change from an earlier lifetime than the live one is ignored, and one from a later lifetime ends the live one
    /// first (OpenVidu closed it, and its sessionDestroyed is still on the way or was lost).
    /// </summary>
    private void Apply(string sessionName, SessionIncarnation? incarnation, string connectionId, DirectoryChangeKind kind, DateTimeOffset at, string? reason, Func<Guid, Participant?, Participant?> change)
    {
        List<DirectoryChange> changes = [];
        lock (gate)
        {
            sessions.TryGetValue(sessionName, out var live);
            if (incarnation is { } of && live is not null && of != live.Incarnation)
            {
                if (of.CreatedAt < live.Incarnation.CreatedAt)
                {
                    LogStaleChange(kind, sessionName, of.UniqueSessionId, live.Incarnation.UniqueSessionId);
                    return;
                }

                EndLocked(sessionName, live, "lastParticipantLeft", at, changes);
                live = null;
            }

            var existed = live is not null;
            live ??= new LiveSession(incarnation ?? new SessionIncarnation(sessionName, at.ToUnixTimeMilliseconds()));
            var current = live.Participants.GetValueOrDefault(connectionId);
            var next = change(live.CallId, current);
            if (next is not null && next != current)
            {
                next = current is null ? next with { AddedAt = clock.GetUtcNow() } : next;
                live.Participants[connectionId] = next;
                Uncounted(live, current);
                Counted(live, next);
                if (!existed)
                {
                    sessions[sessionName] = live;
                }

                var effective = current is null && next.IsActive ? DirectoryChangeKind.Joined : kind;
                changes.Add(new DirectoryChange(sessionName, live.CallId, effective, at, next, reason) { Incarnation = live.Incarnation });
            }
        }

        Publish(changes);
    }

    /// <summary>Removes a live session and everyone in it (caller holds the lock); the changes go out after the lock.</summary>
    private void EndLocked(string sessionName, LiveSession live, string reason, DateTimeOffset at, List<DirectoryChange> changes)
    {
        sessions.Remove(sessionName);
        foreach (var (connectionId, participant) in live.Participants)
        {
            departed.Remember(connectionId, clock.GetUtcNow());
            Uncounted(live, participant);
        }

        changes.AddRange(live.Participants.Values.Select(p => new DirectoryChange(sessionName, live.CallId, DirectoryChangeKind.Left, at, p, reason) { Incarnation = live.Incarnation }));
        changes.Add(new DirectoryChange(sessionName, live.CallId, DirectoryChangeKind.SessionEnded, at, Reason: reason) { Incarnation = live.Incarnation });
    }

    private void Publish(List<DirectoryChange> changes)
    {
        if (changes.Count == 0)
        {
            return;
        }

        var all = subscriptions;
        foreach (var made in changes)
        {
            var change = Replicating ? made with { Replicated = true } : made;
            if (Sending is not null && !change.Replicated && change.Kind != DirectoryChangeKind.Reconciled)
            {
                // Before the local subscribers, so the other instances hear it in the order it happened here.
                TellOtherInstances(new DirectoryMessage { Change = change });
            }

            foreach (var target in all)
            {
                if (target.SessionName is null || target.SessionName == change.SessionName)
                {
                    _ = NotifyAsync(target, change);
                }
            }
        }
    }

    private async Task NotifyAsync(Subscription target, DirectoryChange change)
    {
        try
        {
            await target.OnChange(change);
        }
        catch (Exception e)
        {
            // One broken page must not stop the others from hearing about the change.
            LogSubscriberFailed(e, change.SessionName);
        }
    }

    private sealed class LiveSession(SessionIncarnation incarnation)
    {
        public SessionIncarnation Incarnation { get; } = incarnation;

        public Guid CallId { get; } = CallIdOf(incarnation);

        public Dictionary<string, Participant> Participants { get; } = new(StringComparer.Ordinal);

        /// <summary>SUBSCRIBERs a moderator let speak in this call (CallDirectory.Speakers.cs); they go with the call.</summary>
        public HashSet<string> Speakers { get; } = new(StringComparer.Ordinal);

        /// <summary>Participants not yet joined (CallDirectory.PendingCounts.cs).</summary>
        public int PendingCount { get; set; }
    }

    private sealed class Subscription(CallDirectory owner, string? sessionName, Func<DirectoryChange, Task> onChange) : IDisposable
    {
        public string? SessionName { get; } = sessionName;

        public Func<DirectoryChange, Task> OnChange { get; } = onChange;

        public void Dispose()
        {
            lock (owner.gate)
            {
                owner.subscriptions = Array.FindAll(owner.subscriptions, s => s != this);
            }
        }
    }

    private sealed class Watcher(CallDirectory owner, string? sessionName, Func<Task> refresh) : IDisposable
    {
        private readonly Lock gate = new();
        private bool refreshing;
        private bool changedMeanwhile;
        private bool stopped;

        public IDisposable? Subscription { get; set; }

        public Task OnChange(DirectoryChange change)
        {
            lock (gate)
            {
                if (refreshing)
                {
                    changedMeanwhile = true;
                    return Task.CompletedTask;
                }

                refreshing = true;
            }

            // Unsafe: the request that made the change (its HttpContext, its user) does not flow into other pages.
            ThreadPool.UnsafeQueueUserWorkItem(static watcher => _ = watcher.RefreshAsync(), this, preferLocal: false);
            return Task.CompletedTask;
        }

        /// <summary>One refresh at a time; a change made while one runs gets one more after it (the page may have read too early).</summary>
        private async Task RefreshAsync()
        {
            while (true)
            {
                lock (gate)
                {
                    changedMeanwhile = false;
                    if (stopped)
                    {
                        refreshing = false;
                        return;
                    }
                }

                try
                {
                    await refresh();
                }
                catch (Exception e)
                {
                    owner.LogSubscriberFailed(e, sessionName ?? "any call");
                }

                lock (gate)
                {
                    if (!changedMeanwhile)
                    {
                        refreshing = false;
                        return;
                    }
                }
            }
        }

        public void Dispose()
        {
            lock (gate)
            {
                stopped = true;
            }

            Subscription?.Dispose();
        }
    }

    /// <summary>The same session lifetime gets the same call id in every process and after every restart.</summary>
    internal static Guid CallIdOf(SessionIncarnation incarnation) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes(incarnation.UniqueSessionId)).AsSpan(0, 16));

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "A directory subscriber failed on a change of {SessionName}")]
    private partial void LogSubscriberFailed(Exception exception, string sessionName);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Reconciled with OpenVidu: {Sessions} sessions there, {Stale} stale connections dropped")]
    private partial void LogReconciled(int sessions, int stale);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Ignored {Event} of {SessionName} for its earlier lifetime {Stale}; the live one is {Live}")]
    private partial void LogStaleEvent(string @event, string sessionName, string stale, string live);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Information, Message = "Ignored a change ({Kind}) of {SessionName} for its earlier lifetime {Stale}; the live one is {Live}")]
    private partial void LogStaleChange(DirectoryChangeKind kind, string sessionName, string stale, string live);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Ignored stream id {StreamId} reported for connection {ConnectionId} in {SessionName}: it is not that connection's")]
    private partial void LogForeignStream(string sessionName, string connectionId, string streamId);
}
