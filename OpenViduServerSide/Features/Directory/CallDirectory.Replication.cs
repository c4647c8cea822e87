using System.Text.Json.Serialization;

namespace OpenViduServerSide.Features.Directory;

/// <summary>
/// Several app instances, one directory each, the same content: every change this instance makes goes to the others
/// (<see cref="Sending"/>, carried by <see cref="DirectoryReplication"/>), and what they make is applied here
/// (<see cref="Receive"/>) as the state it produced: the participant as it is now, a connection gone, a call ended. The
/// same rules hold as for the other sources: a connection that left stays gone (the departed memory), an earlier lifetime
/// of a session changes nothing in the live one. Changes applied from another instance are marked
/// <see cref="DirectoryChange.Replicated"/> and are not sent on.
/// </summary>
public sealed partial class CallDirectory
{
    // True while this thread applies another instance's message: every change made meanwhile is that instance's.
    // Apply, Forget and Publish run synchronously on the caller's thread, so a thread-static flag covers exactly them.
    [ThreadStatic]
    private static bool replicating;

    // Open call pages (role-switch listeners) on other instances: instance → (session, user) → pages.
    private readonly Dictionary<string, Dictionary<(string Session, string User), int>> remoteListeners = new(StringComparer.Ordinal);

    // Removals another instance is doing (its Removing scope): read when the connection leaves, dropped then.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> remoteRemovers = new(StringComparer.Ordinal);

    /// <summary>What this instance tells the others, in the order it happened here. Handlers must only queue it.</summary>
    public event Action<DirectoryMessage>? Sending;

    private static bool Replicating => replicating;

    /// <summary>Runs <paramref name="work"/> (calls into this directory) on behalf of another instance: its changes are not sent on.</summary>
    public void AsAnotherInstance(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var was = replicating;
        replicating = true;
        try
        {
            work();
        }
        finally
        {
            replicating = was;
        }
    }

    /// <summary>Applies what another instance (<paramref name="fromInstance"/>) said.</summary>
    public void Receive(DirectoryMessage message, string fromInstance)
    {
        ArgumentNullException.ThrowIfNull(message);
        AsAnotherInstance(() =>
        {
            if (message.Removing is { } removing)
            {
                remoteRemovers[removing.ConnectionId] = removing.By;
            }

            if (message.Change is { } change)
            {
                ApplyReplica(change);
            }

            if (message.Speaker is { } speaker && CallIdOf(speaker.SessionName) == speaker.CallId)
            {
                SetSpeaker(speaker.SessionName, speaker.UserName, speaker.MaySpeak);
            }

            if (message.Listeners is { } listeners)
            {
                lock (gate)
                {
                    remoteListeners[fromInstance] = listeners.ToDictionary(l => (l.SessionName, l.UserName), l => l.Pages);
                }
            }

            if (message.RoleSwitch is { } roleSwitch)
            {
                TellLocalRoleSwitchListeners(roleSwitch);
            }
        });

        if (message.Hello)
        {
            // A new instance: tell it which pages listen here (it cannot have heard it).
            SendListeners();
        }
    }

    /// <summary>Says hello to the other instances: they answer with the pages that listen for role switches on them.</summary>
    public void Greet() => Sending?.Invoke(new DirectoryMessage { Hello = true });

    private Guid? CallIdOf(string sessionName)
    {
        lock (gate)
        {
            return sessions.TryGetValue(sessionName, out var live) ? live.CallId : null;
        }
    }

    private void ApplyReplica(DirectoryChange change)
    {
        switch (change)
        {
            case { Kind: DirectoryChangeKind.Issued or DirectoryChangeKind.Joined or DirectoryChangeKind.Updated, Participant: { } made, Incarnation: { } incarnation }:
                Apply(change.SessionName, incarnation, made.ConnectionId, change.Kind, change.At, change.Reason, (_, current) => current switch
                {
                    // Left here already (its leave came first, or by another way): it stays gone.
                    null when departed.Contains(made.ConnectionId) => null,
                    null => made,
                    // The same connection, as the other instance has it now; being in the call is never undone.
                    _ => made with { AddedAt = current.AddedAt, JoinedAt = made.JoinedAt ?? current.JoinedAt },
                });
                break;
            case { Kind: DirectoryChangeKind.Left, Participant: { } gone }:
                remoteRemovers.TryRemove(gone.ConnectionId, out var remover);
                Forget(change.SessionName, gone.ConnectionId, change.Reason ?? "", change.At, change.RemovedBy ?? remover);
                break;
            case { Kind: DirectoryChangeKind.SessionEnded }:
                List<DirectoryChange> changes = [];
                lock (gate)
                {
                    if (sessions.TryGetValue(change.SessionName, out var live) && live.CallId == change.CallId)
                    {
                        EndLocked(change.SessionName, live, change.Reason ?? "", change.At, changes);
                    }
                }

                Publish(changes);
                break;
        }
    }

    /// <summary>Who another instance said is removing the connection (then forgotten: it leaves now).</summary>
    private string? RemoteRemover(string connectionId) => remoteRemovers.TryRemove(connectionId, out var by) ? by : null;

    private void TellOtherInstances(DirectoryMessage message)
    {
        if (!Replicating)
        {
            Sending?.Invoke(message);
        }
    }

    internal int RemoteListenerCount(string sessionName, string userName)
    {
        lock (gate)
        {
            return remoteListeners.Values.Sum(pages => pages.GetValueOrDefault((sessionName, userName)));
        }
    }

    private void SendListeners()
    {
        var listeners = roleSwitchListeners
            .GroupBy(l => (l.SessionName, l.UserName))
            .Select(g => new ListenerCount(g.Key.SessionName, g.Key.UserName, g.Count()))
            .ToList();
        Sending?.Invoke(new DirectoryMessage { Listeners = listeners });
    }
}

/// <summary>One message between instances about the directory: exactly what happened, in the order it happened.</summary>
public sealed record DirectoryMessage
{
    /// <summary>A change this instance made (never one it applied from another).</summary>
    public DirectoryChange? Change { get; init; }

    /// <summary>A moderator or admin on the sender is removing this connection (see <see cref="CallDirectory.Removing"/>).</summary>
    public RemovalNotice? Removing { get; init; }

    /// <summary>Promote to speak granted or taken back on the sender.</summary>
    public SpeakerGrant? Speaker { get; init; }

    /// <summary>A person's role changed: their pages on every instance switch.</summary>
    public RoleSwitch? RoleSwitch { get; init; }

    /// <summary>Every page on the sender that listens for role switches (replaces what was known of the sender).</summary>
    public IReadOnlyList<ListenerCount>? Listeners { get; init; }

    /// <summary>The sender just started: answer with <see cref="Listeners"/>.</summary>
    public bool Hello { get; init; }
}

public sealed record RemovalNotice(string ConnectionId, string By);

public sealed record SpeakerGrant(string SessionName, Guid CallId, string UserName, bool MaySpeak);

public sealed record ListenerCount(string SessionName, string UserName, int Pages);

[JsonSerializable(typeof(DirectoryMessage))]
[JsonSerializable(typeof(string))]
internal sealed partial class DirectoryJsonContext : JsonSerializerContext;
