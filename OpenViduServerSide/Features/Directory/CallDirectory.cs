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

    // ---------- What the connection issuer reports ----------

    /// <summary>
    /// A connection minted at OpenVidu in <paramref name="incarnation"/> (null when OpenVidu did not say which lifetime
    /// of the session it was minted in).
    /// </summary>
    public void Issued(string sessionName, SessionIncarnation? incarnation, string connectionId, string userName, string nickname, string role, ConnectionKind kind) =>
        Apply(sessionName, incarnation, connectionId, DirectoryChangeKind.Issued, clock.GetUtcNow(), null,
            (callId, existing) => existing ?? new Participant(callId, sessionName, connectionId, userName, nickname, role, kind, clock.GetUtcNow()));

    /// <summary>Connections minted and not used yet: those of <paramref name="userName"/> in every call, and all of <paramref name="sessionName"/>.</summary>
    public (int OfUser, int InSession) CountPending(string userName, string sessionName)
    {
        lock (gate)
        {
            var all = sessions.Values.SelectMany(s => s.Participants.Values).Where(p => !p.IsActive);
            return (all.Count(p => p.UserName == userName),
                sessions.TryGetValue(sessionName, out var live) ? live.Participants.Values.Count(p => !p.IsActive) : 0);
        }
    }

    /// <summary>Connections minted before <paramref name="cutoff"/> and never used.</summary>
    public IReadOnlyList<Participant> PendingAddedBefore(DateTimeOffset cutoff)
    {
        lock (gate)
        {
            return [.. sessions.Values.SelectMany(s => s.Participants.Values).Where(p => !p.IsActive && p.AddedAt < cutoff)];
        }
    }

    // ---------- What the app's own pages report ----------

    /// <summary>The browser used its token: the participant is in the call.</summary>
    public void MarkJoined(string sessionName, string connectionId) => MarkJoined(sessionName, connectionId, clock.GetUtcNow());

    /// <summary>
    /// The participant's published stream and its microphone and camera state, as their page reports it. A stream id that
    /// is not this connection's own (OpenVidu's end with <c>_</c> and the connection id) is not stored: the page's word is
    /// all there is here, and a moderator's "stop camera" must never reach someone else's stream.
    /// </summary>
    public void UpdateMedia(string sessionName, string connectionId, string? streamId, bool microphoneOn, bool cameraOn)
    {
        if (streamId is not null && !IsStreamOf(streamId, connectionId))
        {
            LogForeignStream(sessionName, connectionId, streamId);
            return;
        }

        Apply(sessionName, null, connectionId, DirectoryChangeKind.Updated, clock.GetUtcNow(), null,
            (_, p) => p is null ? null : p with { StreamId = streamId, MicrophoneOn = microphoneOn, CameraOn = cameraOn });
    }

    /// <summary>OpenVidu names a stream <c>str_{TYPE}_{random}_{connectionId}</c> (contract §3.3).</summary>
    internal static bool IsStreamOf(string streamId, string connectionId) =>
        streamId.Length > connectionId.Length + 1
        && streamId.EndsWith(connectionId, StringComparison.Ordinal)
        && streamId[^(connectionId.Length + 1)] == '_';

    /// <summary>Drops the connection from the directory only (OpenVidu already knows it is gone).</summary>
    public void Forget(string sessionName, string connectionId, string reason) => Forget(sessionName, connectionId, reason, clock.GetUtcNow());

    // ---------- What OpenVidu reports (webhooks) ----------

    /// <summary>
    /// webhook participantJoined: known connections become active; unknown ones (another app instance, a restart) are added
    /// from their data. <paramref name="uniqueSessionId"/> says which lifetime of the session it happened in.
    /// </summary>
    public void ParticipantJoined(string sessionName, string? uniqueSessionId, string connectionId, string? serverData, string? clientData, DateTimeOffset at) =>
        Apply(sessionName, SessionIncarnation.Parse(uniqueSessionId), connectionId, DirectoryChangeKind.Joined, at, null, (callId, p) =>
        {
            if (p is null && departed.Contains(connectionId))
            {
                return null;
            }

            if (p is not null)
            {
                return p.IsActive ? p : p with { JoinedAt = at };
            }

            var data = ConnectionData.FromServerData(serverData, clientData);
            return new Participant(callId, sessionName, connectionId, data.UserName, data.Nickname, data.Role, data.Kind, at, JoinedAt: at);
        });

    /// <summary>webhook participantLeft.</summary>
    public void ParticipantLeft(string sessionName, string connectionId, string reason, DateTimeOffset at) => Forget(sessionName, connectionId, reason, at);

    /// <summary>webhook webrtcConnectionCreated/Destroyed (OUTBOUND): the participant's published stream.</summary>
    public void StreamChanged(string sessionName, string connectionId, string? streamId, bool microphoneOn, bool cameraOn, DateTimeOffset at) =>
        Apply(sessionName, null, connectionId, DirectoryChangeKind.Updated, at, null,
            (_, p) => p is null ? null : p with { StreamId = streamId, MicrophoneOn = microphoneOn, CameraOn = cameraOn });

    /// <summary>
    /// webhook sessionDestroyed (or a call closed by this app, <paramref name="uniqueSessionId"/> null): everyone is gone.
    /// The end of an earlier lifetime of the name (a webhook that arrives after the call was opened again) changes nothing.
    /// </summary>
    public void SessionEnded(string sessionName, string? uniqueSessionId, string reason, DateTimeOffset at)
    {
        var ended = SessionIncarnation.Parse(uniqueSessionId);
        List<DirectoryChange> changes = [];
        lock (gate)
        {
            if (sessions.TryGetValue(sessionName, out var live))
            {
                if (ended is { } incarnation && incarnation.CreatedAt < live.Incarnation.CreatedAt)
                {
                    LogStaleEvent("sessionDestroyed", sessionName, incarnation.UniqueSessionId, live.Incarnation.UniqueSessionId);
                }
                else
                {
                    EndLocked(sessionName, live, reason, at, changes);
                }
            }
        }

        Publish(changes);
    }

    // ---------- Reconciliation ----------

    /// <summary>
    /// Makes the directory agree with OpenVidu's GET /sessions (<paramref name="truth"/>, asked for at
    /// <paramref name="started"/>): adds what OpenVidu has and the directory lacks (tabs of another app instance, state lost
    /// in a restart) and drops what OpenVidu no longer has. Connections issued after the reconciliation started are left
    /// alone, since OpenVidu's answer may predate them.
    /// </summary>
    public void Reconcile(IReadOnlyList<OpenViduSession> truth, DateTimeOffset started)
    {
        ArgumentNullException.ThrowIfNull(truth);
        var known = truth.ToDictionary(s => s.Id, s => s.Connections.Content.ToDictionary(c => c.Id, StringComparer.Ordinal), StringComparer.Ordinal);

        foreach (var session in truth)
        {
            var incarnation = new SessionIncarnation(session.Id, session.CreatedAt);
            foreach (var connection in session.Connections.Content)
            {
                var sessionName = session.Id;
                var at = connection.ActiveAt is { } active ? DateTimeOffset.FromUnixTimeMilliseconds(active) : (DateTimeOffset?)null;
                var media = connection.Publishers is [var publisher, ..] ? publisher : null;
                Apply(sessionName, incarnation, connection.Id, at is null ? DirectoryChangeKind.Issued : DirectoryChangeKind.Joined, at ?? started, null, (callId, p) =>
                {
                    // OpenVidu's answer may predate a leave the directory heard of meanwhile: that one stays gone.
                    if (p is null && departed.Contains(connection.Id))
                    {
                        return null;
                    }

                    var data = ConnectionData.FromServerData(connection.ServerData, connection.ClientData);
                    var participant = p ?? new Participant(callId, sessionName, connection.Id, data.UserName, data.Nickname,
                        connection.Role ?? data.Role, data.Kind, DateTimeOffset.FromUnixTimeMilliseconds(connection.CreatedAt));
                    return participant with
                    {
                        JoinedAt = participant.JoinedAt ?? at,
                        StreamId = media?.StreamId ?? participant.StreamId,
                        MicrophoneOn = media?.MediaOptions?.AudioActive ?? participant.MicrophoneOn,
                        CameraOn = media?.MediaOptions?.VideoActive ?? participant.CameraOn,
                    };
                });
            }
        }

        List<(string Session, string Connection)> stale;
        lock (gate)
        {
            stale = [.. sessions.Values
                .SelectMany(s => s.Participants.Values)
                .Where(p => p.AddedAt < started && !(known.TryGetValue(p.SessionName, out var c) && c.ContainsKey(p.ConnectionId)))
                .Select(p => (p.SessionName, p.ConnectionId))];
        }

        foreach (var (session, connection) in stale)
        {
            Forget(session, connection, "reconciled", started);
        }

        LogReconciled(known.Count, stale.Count);
        Publish([new DirectoryChange("", Guid.Empty, DirectoryChangeKind.Reconciled, started)]);
    }

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

    private void Forget(string sessionName, string connectionId, string reason, DateTimeOffset at)
    {
        List<DirectoryChange> changes = [];
        lock (gate)
        {
            departed.Remember(connectionId, clock.GetUtcNow());
            if (sessions.TryGetValue(sessionName, out var live) && live.Participants.Remove(connectionId, out var gone))
            {
                changes.Add(new DirectoryChange(sessionName, live.CallId, DirectoryChangeKind.Left, at, gone, reason));
                if (live.Participants.Count == 0)
                {
                    // OpenVidu closes a session when its last participant leaves (contract §1.6 rule 3).
                    sessions.Remove(sessionName);
                    changes.Add(new DirectoryChange(sessionName, live.CallId, DirectoryChangeKind.SessionEnded, at, Reason: "lastParticipantLeft"));
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
                if (!existed)
                {
                    sessions[sessionName] = live;
                }

                var effective = current is null && next.IsActive ? DirectoryChangeKind.Joined : kind;
                changes.Add(new DirectoryChange(sessionName, live.CallId, effective, at, next, reason));
            }
        }

        Publish(changes);
    }

    /// <summary>Removes a live session and everyone in it (caller holds the lock); the changes go out after the lock.</summary>
    private void EndLocked(string sessionName, LiveSession live, string reason, DateTimeOffset at, List<DirectoryChange> changes)
    {
        sessions.Remove(sessionName);
        foreach (var connectionId in live.Participants.Keys)
        {
            departed.Remember(connectionId, clock.GetUtcNow());
        }

        changes.AddRange(live.Participants.Values.Select(p => new DirectoryChange(sessionName, live.CallId, DirectoryChangeKind.Left, at, p, reason)));
        changes.Add(new DirectoryChange(sessionName, live.CallId, DirectoryChangeKind.SessionEnded, at, Reason: reason));
    }

    /// <summary>
    /// The session's lifetime while the directory holds any connection of it, pending ones included: each was minted in
    /// that very session at OpenVidu, so it existed a moment ago and the create-session round trip can be skipped. If
    /// OpenVidu closed it since (its last active participant left, or its garbage collector took a never-joined one,
    /// contract P1), the connection create answers 404 and OpenViduClient opens the session again and retries: a wrong
    /// guess costs one round trip, never a failed join.
    /// </summary>
    public SessionIncarnation? LiveIncarnation(string sessionName)
    {
        lock (gate)
        {
            return sessions.TryGetValue(sessionName, out var live) && live.Participants.Count > 0 ? live.Incarnation : null;
        }
    }

    private void Publish(List<DirectoryChange> changes)
    {
        if (changes.Count == 0)
        {
            return;
        }

        var all = subscriptions;
        foreach (var change in changes)
        {
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
