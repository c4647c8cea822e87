using System.Net;
using OpenViduServerSide.OpenVidu;

namespace OpenViduServerSide.Features.Calls;

/// <summary>What changed in the directory: the session it concerns, for subscribers that filter.</summary>
public sealed record DirectoryChange(string SessionName);

/// <summary>
/// The one place that knows who is in which call. Singleton, shared by every circuit: state sits behind one short lock,
/// readers get snapshots, and subscribers are called outside the lock (eShop's OrderStatusNotificationService shape).
/// It mints connection tokens: the OpenVidu role comes from the user's Identity roles at that moment, never from the browser.
/// </summary>
public sealed partial class SessionDirectory(OpenViduClient openVidu, UserCallRoles roles, TimeProvider clock, ILogger<SessionDirectory> logger)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, Dictionary<string, Participant>> sessions = new(StringComparer.Ordinal);
    private readonly List<Subscription> subscriptions = [];

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

        var data = new ConnectionData(userName, kind, nickname);
        var connection = await openVidu.CreateConnectionInSessionAsync(
            sessionName, new ConnectionProperties(role, data.ToServerData()), IsAlive(sessionName), cancellationToken);
        if (connection.Token is null)
        {
            throw new OpenViduException(HttpStatusCode.InternalServerError, "OpenVidu created a connection without a token.");
        }

        Upsert(new Participant(sessionName, connection.Id, userName, nickname, role, kind, clock.GetUtcNow()));
        LogIssued(userName, role, kind, sessionName, connection.Id);
        return new IssuedConnection(sessionName, connection.Id, connection.Token, role);
    }

    /// <summary>The browser used its token: the participant is in the call.</summary>
    public void MarkJoined(string sessionName, string connectionId) =>
        Update(sessionName, connectionId, p => p.IsActive ? p : p with { JoinedAt = clock.GetUtcNow() });

    /// <summary>The participant's published stream and its microphone and camera state.</summary>
    public void UpdateMedia(string sessionName, string connectionId, string? streamId, bool microphoneOn, bool cameraOn) =>
        Update(sessionName, connectionId, p => p with { StreamId = streamId, MicrophoneOn = microphoneOn, CameraOn = cameraOn });

    /// <summary>
    /// Removes the connection here and at OpenVidu (evicting it if still connected, revoking its token if pending).
    /// Safe to call for connections OpenVidu already dropped.
    /// </summary>
    public async Task ReleaseAsync(string sessionName, string connectionId, CancellationToken cancellationToken = default)
    {
        Forget(sessionName, connectionId);
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
    public void Forget(string sessionName, string connectionId)
    {
        bool removed;
        lock (gate)
        {
            removed = sessions.TryGetValue(sessionName, out var participants) && participants.Remove(connectionId);
            if (removed && participants!.Count == 0)
            {
                sessions.Remove(sessionName);
            }
        }

        if (removed)
        {
            Publish(sessionName);
        }
    }

    /// <summary>One connection, or null when the directory does not know it (no snapshot of the whole call: O(1)).</summary>
    public Participant? FindParticipant(string sessionName, string connectionId)
    {
        lock (gate)
        {
            return sessions.TryGetValue(sessionName, out var participants) && participants.TryGetValue(connectionId, out var participant)
                ? participant
                : null;
        }
    }

    public IReadOnlyList<Participant> GetParticipants(string sessionName)
    {
        lock (gate)
        {
            return sessions.TryGetValue(sessionName, out var participants)
                ? [.. participants.Values.OrderBy(p => p.IssuedAt)]
                : [];
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
            subscriptions.Add(subscription);
        }

        return subscription;
    }

    internal int SubscriberCount
    {
        get
        {
            lock (gate)
            {
                return subscriptions.Count;
            }
        }
    }

    /// <summary>
    /// True while the directory holds any connection of the session, pending ones included: each was minted in that
    /// very session at OpenVidu, so it existed a moment ago and the create-session round trip can be skipped. If
    /// OpenVidu closed it since (its last active participant left, or its garbage collector took a never-joined one,
    /// contract P1), the connection create answers 404 and OpenViduClient creates the session and retries once: a
    /// wrong guess costs one round trip, never a failed join.
    /// </summary>
    private bool IsAlive(string sessionName)
    {
        lock (gate)
        {
            return sessions.TryGetValue(sessionName, out var participants) && participants.Count > 0;
        }
    }

    private void Upsert(Participant participant)
    {
        lock (gate)
        {
            if (!sessions.TryGetValue(participant.SessionName, out var participants))
            {
                sessions[participant.SessionName] = participants = new Dictionary<string, Participant>(StringComparer.Ordinal);
            }

            participants[participant.ConnectionId] = participant;
        }

        Publish(participant.SessionName);
    }

    private void Update(string sessionName, string connectionId, Func<Participant, Participant> change)
    {
        bool changed;
        lock (gate)
        {
            changed = sessions.TryGetValue(sessionName, out var participants)
                && participants.TryGetValue(connectionId, out var current)
                && (participants[connectionId] = change(current)) != current;
        }

        if (changed)
        {
            Publish(sessionName);
        }
    }

    private void Publish(string sessionName)
    {
        Subscription[] targets;
        lock (gate)
        {
            targets = [.. subscriptions.Where(s => s.SessionName is null || s.SessionName == sessionName)];
        }

        var change = new DirectoryChange(sessionName);
        foreach (var target in targets)
        {
            _ = NotifyAsync(target, change);
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

    private sealed class Subscription(SessionDirectory owner, string? sessionName, Func<DirectoryChange, Task> onChange) : IDisposable
    {
        public string? SessionName { get; } = sessionName;

        public Func<DirectoryChange, Task> OnChange { get; } = onChange;

        public void Dispose()
        {
            lock (owner.gate)
            {
                owner.subscriptions.Remove(this);
            }
        }
    }

    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Issued a {Role} {Kind} connection for {UserName} in {SessionName}: {ConnectionId}")]
    private partial void LogIssued(string userName, string role, ConnectionKind kind, string sessionName, string connectionId);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Could not release connection {ConnectionId} of {SessionName} at OpenVidu")]
    private partial void LogReleaseFailed(Exception exception, string sessionName, string connectionId);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "A directory subscriber failed on a change of {SessionName}")]
    private partial void LogSubscriberFailed(Exception exception, string sessionName);
}
