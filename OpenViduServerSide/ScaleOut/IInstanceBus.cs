using System.Text.Json.Serialization.Metadata;

namespace OpenViduServerSide.ScaleOut;

/// <summary>
/// The other instances of this deployment. With one instance (no <c>ConnectionStrings:Redis</c>) there are none, and
/// publishing does nothing. With Redis, a message published here reaches every other instance once, in the order this
/// instance published it (Redis pub/sub over one connection, handled one at a time on each receiver); an instance
/// never hears its own messages. Pub/sub keeps nothing: an instance that was away catches up from OpenVidu's REST truth
/// (<see cref="Reconnected"/>), not from the bus.
/// </summary>
public interface IInstanceBus
{
    /// <summary>This instance's id, new at every start.</summary>
    string InstanceId { get; }

    /// <summary>True when other instances may exist (Redis is configured).</summary>
    bool IsShared { get; }

    /// <summary>Sends <paramref name="message"/> to every other instance listening on <paramref name="channel"/>. Never throws: a lost message is logged.</summary>
    Task PublishAsync<T>(string channel, T message, JsonTypeInfo<T> type);

    /// <summary>Calls <paramref name="onMessage"/> for every message another instance publishes on <paramref name="channel"/>, one at a time.</summary>
    IDisposable Subscribe<T>(string channel, JsonTypeInfo<T> type, Func<T, string, Task> onMessage);

    /// <summary>Raised when the connection to the other instances came back after a loss: what was said meanwhile is lost.</summary>
    event Action? Reconnected;

    /// <summary>Whether messages flow now (always true for a single instance).</summary>
    bool IsConnected { get; }
}
