namespace OpenViduServerSide.Features.Directory;

/// <summary>
/// Connections that left recently. Webhooks arrive late and out of step with the app's own events: a participantJoined
/// for a connection the app already released must not bring it back as a ghost. Each is remembered for
/// <see cref="Memory"/> after the directory learned of the departure (at most <see cref="MaxDeparted"/> of them, oldest
/// forgotten first); the queue holds them in that order, so forgetting is amortized O(1) per departure instead of a scan
/// of the whole map under the directory's lock. Not thread-safe: <see cref="CallDirectory"/> calls it under its lock.
/// </summary>
internal sealed class DepartedConnections
{
    internal const int MaxDeparted = 100_000;
    private static readonly TimeSpan Memory = TimeSpan.FromMinutes(10);

    private readonly Dictionary<string, DateTimeOffset> departed = new(StringComparer.Ordinal);
    private readonly Queue<(string ConnectionId, DateTimeOffset RememberedAt)> departures = new();

    public bool Contains(string connectionId) => departed.ContainsKey(connectionId);

    /// <summary>The directory learned at <paramref name="now"/> that <paramref name="connectionId"/> left.</summary>
    public void Remember(string connectionId, DateTimeOffset now)
    {
        departed[connectionId] = now;
        departures.Enqueue((connectionId, now));
        var cutoff = now - Memory;
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
}
