using OpenViduServerSide.OpenVidu;

namespace OpenViduServerSide.Features.Directory;

/// <summary>What the directory's sources report: the connection issuer, the app's pages, OpenVidu's webhooks, reconciliation.</summary>
public sealed partial class CallDirectory
{
    // ---------- What the connection issuer reports ----------

    /// <summary>
    /// A connection minted at OpenVidu in <paramref name="incarnation"/> (null when OpenVidu did not say which lifetime
    /// of the session it was minted in).
    /// </summary>
    public void Issued(string sessionName, SessionIncarnation? incarnation, string connectionId, string userName, string nickname, string role, ConnectionKind kind) =>
        Apply(sessionName, incarnation, connectionId, DirectoryChangeKind.Issued, clock.GetUtcNow(), null,
            (callId, existing) => existing ?? new Participant(callId, sessionName, connectionId, userName, nickname, role, kind, clock.GetUtcNow()));

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

    /// <summary>
    /// Raises or lowers the hand of an active camera connection (a screen share has no hand). Returns false when there is
    /// no such connection. Raising a raised hand keeps its place in the queue.
    /// </summary>
    public bool SetHand(string sessionName, string connectionId, bool raised)
    {
        if (FindParticipant(sessionName, connectionId) is not { IsActive: true, Kind: ConnectionKind.Camera })
        {
            return false;
        }

        var now = clock.GetUtcNow();
        Apply(sessionName, null, connectionId, DirectoryChangeKind.Updated, now, null,
            (_, p) => p is null || (p.HandRaisedAt is not null) == raised ? p : p with { HandRaisedAt = raised ? now : null });
        return true;
    }

    /// <summary>OpenVidu names a stream <c>str_{TYPE}_{random}_{connectionId}</c> (contract §1.2).</summary>
    internal static bool IsStreamOf(string streamId, string connectionId) =>
        streamId.Length > connectionId.Length + 1
        && streamId.EndsWith(connectionId, StringComparison.Ordinal)
        && streamId[^(connectionId.Length + 1)] == '_';

    /// <summary>Drops the connection from the directory only (OpenVidu already knows it is gone).</summary>
    public void Forget(string sessionName, string connectionId, string reason) => Forget(sessionName, connectionId, reason, clock.GetUtcNow());

    /// <summary>
    /// A moderator or admin is removing the connection: until the returned scope ends, whichever source reports it gone
    /// (this app's <see cref="Forget(string, string, string)"/> or OpenVidu's webhook, which may come first) says who
    /// removed it, so history can tell.
    /// </summary>
    public IDisposable Removing(string connectionId, string removedBy)
    {
        removers[connectionId] = removedBy;
        TellOtherInstances(new DirectoryMessage { Removing = new RemovalNotice(connectionId, removedBy) });
        return new Removal(this, connectionId);
    }

    private sealed class Removal(CallDirectory directory, string connectionId) : IDisposable
    {
        public void Dispose() => directory.removers.TryRemove(connectionId, out _);
    }

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
}
