using System.Net;
using OpenViduServerSide.OpenVidu;

namespace OpenViduServerSide.Features.Calls;

/// <summary>
/// The one place that knows who is in which call. Singleton, shared by every circuit: state sits behind one short lock,
/// readers get snapshots, and subscribers are called outside the lock (eShop's OrderStatusNotificationService shape).
/// It is fed by the app's own joins and leaves, by OpenVidu's webhooks, and by <see cref="ReconcileAsync"/>; every source
/// keys participants by connection id, so one seen by two sources counts once.
/// It mints connection tokens: the OpenVidu role comes from the user's Identity roles at that moment, never from the browser.
/// </summary>
public sealed partial class SessionDirectory(OpenViduClient openVidu, UserCallRoles roles, TimeProvider clock, ILogger<SessionDirectory> logger)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, LiveSession> sessions = new(StringComparer.Ordinal);
    // Copy-on write: Subscribe and Dispose swap the array under the lock, Publish reads it without taking the lock.
    private volatile Subscription[] subscriptions = [];

    // Connections that left recently. Webhooks arrive late and out of step with the app's own events: a participantJoined
    // for a connection the app already released must not bring it back as a ghost. Each is remembered for DepartedMemory
    // after the directory learned of the departure (at most MaxDeparted of them, oldest forgotten first); the queue holds
    // them in that order, so forgetting is amortized O(1) per departure instead of a scan of the whole map under the lock.
    private readonly Dictionary<string, DateTimeOffset> departed = new(StringComparer.Ordinal);
    private readonly Queue<(string ConnectionId, DateTimeOffset RememberedAt)> departures = new();
    private static readonly TimeSpan DepartedMemory = TimeSpan.FromMinutes(10);
    internal const int MaxDeparted = 100_000;

    // ---------- Minting ----------

    /// <summary>
    /// Gets or creates the OpenVidu session <paramref name="sessionName"/> and a connection for <paramref name="userName"/>
    /// with the role their account has now. SUBSCRIBERs cannot share a screen.
    /// </summary>
    /// <exception cref="CallRefusedException">The user may not do this.</exception>
    /// <exception cref="OpenViduException">OpenVidu refused.</exception>
    /// <exception cref="OpenViduUnavailableException">OpenVidu is down or slow.</exception>
    public async Task<IssuedConnection> IssueAsync(string sessionName, string userName, string nickname, ConnectionKind kind, CancellationToken cancellationToken = default)
    {
        if (!SessionNames.IsValid(sessionName))
        {
            throw new CallRefusedException(SessionNames.Rule);
        }

        var role = await roles.GetOpenViduRoleAsync(userName, cancellationToken)
            ?? throw new CallRefusedException("Your account has no call role (PUBLISHER, SUBSCRIBER or MODERATOR). Ask an administrator to give you one.");
        if (kind == ConnectionKind.Screen && role == OpenViduRoles.Subscriber)
        {
            throw new CallRefusedException("Your role (SUBSCRIBER) lets you watch the call but not share your screen.");
        }

        var data = new ConnectionData(userName, kind, nickname, role);
        var connection = await openVidu.CreateConnectionInSessionAsync(
            sessionName, new ConnectionProperties(role, data.ToServerData()), IsAlive(sessionName), cancellationToken);
        if (connection.Token is null)
        {
            throw new OpenViduException(HttpStatusCode.InternalServerError, "OpenVidu created a connection without a token.");
        }

        Apply(sessionName, connection.Id, DirectoryChangeKind.Issued, clock.GetUtcNow(), null,
            (callId, existing) => existing ?? new Participant(callId, sessionName, connection.Id, userName, nickname, role, kind, clock.GetUtcNow()));
        LogIssued(userName, role, kind, sessionName, connection.Id);
        return new IssuedConnection(sessionName, connection.Id, connection.Token, role);
    }

    // ---------- What the app's own pages report ----------

    /// <summary>The browser used its token: the participant is in the call.</summary>
    public void MarkJoined(string sessionName, string connectionId) => MarkJoined(sessionName, connectionId, clock.GetUtcNow());

    /// <summary>The participant's published stream and its microphone and camera state.</summary>
    public void UpdateMedia(string sessionName, string connectionId, string? streamId, bool microphoneOn, bool cameraOn) =>
        Apply(sessionName, connectionId, DirectoryChangeKind.Updated, clock.GetUtcNow(), null,
            (_, p) => p is null ? null : p with { StreamId = streamId, MicrophoneOn = microphoneOn, CameraOn = cameraOn });

    /// <summary>
    /// Removes the connection here and at OpenVidu (evicting it if still connected, revoking its token if pending).
    /// Safe to call for connections OpenVidu already dropped.
    /// </summary>
    public async Task ReleaseAsync(string sessionName, string connectionId, CancellationToken cancellationToken = default)
    {
        Forget(sessionName, connectionId, "disconnect");
        try
        {
            await openVidu.DeleteConnectionAsync(sessionName, connectionId, cancellationToken);
        }
        catch (Exception e) when (e is OpenViduException or OpenViduUnavailableException)
        {
            // The directory is already right; OpenVidu drops the connection itself when the browser's socket closes.
            LogReleaseFailed(e, sessionName, connectionId);
        }
    }

    /// <summary>Drops the connection from the directory only (OpenVidu already knows it is gone).</summary>
    public void Forget(string sessionName, string connectionId, string reason) => Forget(sessionName, connectionId, reason, clock.GetUtcNow());

    // ---------- What OpenVidu reports (webhooks) ----------

    /// <summary>webhook participantJoined: known connections become active; unknown ones (another app instance, a restart) are added from their data.</summary>
    public void ParticipantJoined(string sessionName, string connectionId, string? serverData, string? clientData, DateTimeOffset at) =>
        Apply(sessionName, connectionId, DirectoryChangeKind.Joined, at, null, (callId, p) =>
        {
            if (p is null && departed.ContainsKey(connectionId))
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
        Apply(sessionName, connectionId, DirectoryChangeKind.Updated, at, null,
            (_, p) => p is null ? null : p with { StreamId = streamId, MicrophoneOn = microphoneOn, CameraOn = cameraOn });

    /// <summary>webhook sessionDestroyed (or a call closed by this app): everyone is gone.</summary>
    public void SessionEnded(string sessionName, string reason, DateTimeOffset at)
    {
        List<DirectoryChange> changes = [];
        lock (gate)
        {
            if (sessions.Remove(sessionName, out var live))
            {
                foreach (var connectionId in live.Participants.Keys)
                {
                    RememberDeparted(connectionId);
                }

                changes.AddRange(live.Participants.Values.Select(p => new DirectoryChange(sessionName, live.CallId, DirectoryChangeKind.Left, at, p, reason)));
                changes.Add(new DirectoryChange(sessionName, live.CallId, DirectoryChangeKind.SessionEnded, at, Reason: reason));
            }
        }

        Publish(changes);
    }

    // ---------- Reconciliation ----------

    /// <summary>
    /// Makes the directory agree with OpenVidu's GET /sessions: adds what OpenVidu has and the directory lacks (tabs of
    /// another app instance, state lost in a restart) and drops what OpenVidu no longer has. Connections issued after the
    /// reconciliation started are left alone, since OpenVidu's answer may predate them.
    /// </summary>
    public async Task ReconcileAsync(CancellationToken cancellationToken = default)
    {
        var started = clock.GetUtcNow();
        var truth = await openVidu.ListSessionsAsync(pendingConnections: true, cancellationToken);
        var known = truth.ToDictionary(s => s.Id, s => s.Connections.Content.ToDictionary(c => c.Id, StringComparer.Ordinal), StringComparer.Ordinal);

        foreach (var (sessionName, connections) in known)
        {
            foreach (var connection in connections.Values)
            {
                var at = connection.ActiveAt is { } active ? DateTimeOffset.FromUnixTimeMilliseconds(active) : (DateTimeOffset?)null;
                var media = connection.Publishers is [var publisher, ..] ? publisher : null;
                Apply(sessionName, connection.Id, at is null ? DirectoryChangeKind.Issued : DirectoryChangeKind.Joined, at ?? started, null, (callId, p) =>
                {
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
                .Where(p => p.IssuedAt < started && !(known.TryGetValue(p.SessionName, out var c) && c.ContainsKey(p.ConnectionId)))
                .Select(p => (p.SessionName, p.ConnectionId))];
        }

        foreach (var (session, connection) in stale)
        {
            Forget(session, connection, "reconciled", started);
        }

        LogReconciled(known.Count, stale.Count);
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
        Apply(sessionName, connectionId, DirectoryChangeKind.Joined, at, null, (_, p) => p is null || p.IsActive ? p : p with { JoinedAt = at });

    private void Forget(string sessionName, string connectionId, string reason, DateTimeOffset at)
    {
        List<DirectoryChange> changes = [];
        lock (gate)
        {
            RememberDeparted(connectionId);
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
    /// </summary>
    private void Apply(string sessionName, string connectionId, DirectoryChangeKind kind, DateTimeOffset at, string? reason, Func<Guid, Participant?, Participant?> change)
    {
        DirectoryChange? published = null;
        lock (gate)
        {
            var existed = sessions.TryGetValue(sessionName, out var live);
            live ??= new LiveSession(Guid.NewGuid());
            var current = live.Participants.GetValueOrDefault(connectionId);
            var next = change(live.CallId, current);
            if (next is not null && next != current)
            {
                live.Participants[connectionId] = next;
                if (!existed)
                {
                    sessions[sessionName] = live;
                }

                var effective = current is null && next.IsActive ? DirectoryChangeKind.Joined : kind;
                published = new DirectoryChange(sessionName, live.CallId, effective, at, next, reason);
            }
        }

        if (published is not null)
        {
            Publish([published]);
        }
    }

    private void RememberDeparted(string connectionId)
    {
        var now = clock.GetUtcNow();
        departed[connectionId] = now;
        departures.Enqueue((connectionId, now));
        var cutoff = now - DepartedMemory;
        while (departures.TryPeek(out var oldest) && (oldest.RememberedAt < cutoff || departures.Count > MaxDeparted))
        {
            departures.Dequeue();
            // A connection remembered again later has a newer entry in the queue: keep it until that one expires.
            if (departed.TryGetValue(oldest.ConnectionId, out var latest) && latest == oldest.RememberedAt)
            {
                departed.Remove(oldest.ConnectionId);
            }
        }
    }

    /// <summary>
    /// True while the directory holds any connection of the session, pending ones included: each was minted in that
    /// very session at OpenVidu, so it existed a moment ago and the create-session round trip can be skipped. If
    /// OpenVidu closed it since (its last active participant left, or its garbage collector took a never-joined one,
    /// contract P1), the connection create answers 404 and OpenViduClient creates the session and retries: a wrong
    /// guess costs one round trip, never a failed join.
    /// </summary>
    private bool IsAlive(string sessionName)
    {
        lock (gate)
        {
            return sessions.TryGetValue(sessionName, out var live) && live.Participants.Count > 0;
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

    private sealed class LiveSession(Guid callId)
    {
        public Guid CallId { get; } = callId;

        public Dictionary<string, Participant> Participants { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Subscription(SessionDirectory owner, string? sessionName, Func<DirectoryChange, Task> onChange) : IDisposable
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

    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Issued a {Role} {Kind} connection for {UserName} in {SessionName}: {ConnectionId}")]
    private partial void LogIssued(string userName, string role, ConnectionKind kind, string sessionName, string connectionId);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Could not release connection {ConnectionId} of {SessionName} at OpenVidu")]
    private partial void LogReleaseFailed(Exception exception, string sessionName, string connectionId);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "A directory subscriber failed on a change of {SessionName}")]
    private partial void LogSubscriberFailed(Exception exception, string sessionName);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Reconciled with OpenVidu: {Sessions} sessions there, {Stale} stale connections dropped")]
    private partial void LogReconciled(int sessions, int stale);
}
