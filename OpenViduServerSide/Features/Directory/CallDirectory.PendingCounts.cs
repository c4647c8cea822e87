namespace OpenViduServerSide.Features.Directory;

/// <summary>
/// Unused ("pending") connections counted as they change, so the pending caps checked on every mint
/// (<see cref="CountPending"/>) cost a lookup, not a walk over every participant of every call under the lock (which made
/// each mint slower the more tokens were outstanding). Every change of <c>LiveSession.Participants</c> goes through
/// <see cref="Counted"/> and <see cref="Uncounted"/>; all of it runs under <c>gate</c>.
/// </summary>
public sealed partial class CallDirectory
{
    private readonly Dictionary<string, int> pendingByUser = new(StringComparer.Ordinal);

    /// <summary>Unused connections of <paramref name="userName"/> in every call, and of every user in <paramref name="sessionName"/>.</summary>
    public (int OfUser, int InSession) CountPending(string userName, string sessionName)
    {
        lock (gate)
        {
            return (pendingByUser.GetValueOrDefault(userName), sessions.TryGetValue(sessionName, out var live) ? live.PendingCount : 0);
        }
    }

    /// <summary><paramref name="participant"/> is now in <paramref name="live"/> (caller holds the lock).</summary>
    private void Counted(LiveSession live, Participant? participant) => MovePending(live, participant, +1);

    /// <summary><paramref name="participant"/> is no longer in <paramref name="live"/> (caller holds the lock).</summary>
    private void Uncounted(LiveSession live, Participant? participant) => MovePending(live, participant, -1);

    private void MovePending(LiveSession live, Participant? participant, int delta)
    {
        if (participant is null || participant.IsActive)
        {
            return;
        }

        live.PendingCount += delta;
        var ofUser = pendingByUser.GetValueOrDefault(participant.UserName) + delta;
        if (ofUser > 0)
        {
            pendingByUser[participant.UserName] = ofUser;
        }
        else
        {
            pendingByUser.Remove(participant.UserName);
        }
    }
}
