using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace OpenViduServerSide.ScaleOut;

/// <summary>
/// The other instances through Redis pub/sub. A message is this instance's id, a newline and the JSON of the message, on
/// the channel <c>{deployment}:{channel}</c> (<see cref="ScaleOutOptions.Deployment"/>); each subscription handles its
/// messages one at a time, in order.
/// </summary>
public sealed partial class RedisInstanceBus : IInstanceBus, IDisposable
{
    private readonly IConnectionMultiplexer redis;
    private readonly ILogger<RedisInstanceBus> logger;
    private readonly string channelPrefix;

    public RedisInstanceBus(IConnectionMultiplexer redis, IOptions<ScaleOutOptions> options, ILogger<RedisInstanceBus> logger)
    {
        this.redis = redis;
        this.logger = logger;
        channelPrefix = options.Value.Deployment + ":";
        redis.ConnectionFailed += OnConnectionFailed;
        redis.ConnectionRestored += OnConnectionRestored;
    }

    /// <summary>The Redis client name, unique per start (see AddScaleOut).</summary>
    public string InstanceId => redis.ClientName;

    public bool IsShared => true;

    // Asked of the client, not tracked from its events: it raises them on the thread pool, so under load a connection's
    // "failed" can arrive after its "restored" (CI saw an instance say "unreachable" for good after a reconnect).
    public bool IsConnected => redis.GetSubscriber().IsConnected();

    public event Action? Reconnected;

    public async Task PublishAsync<T>(string channel, T message, JsonTypeInfo<T> type)
    {
        var payload = Encoding.UTF8.GetBytes(InstanceId + "\n" + JsonSerializer.Serialize(message, type));
        try
        {
            await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(channelPrefix + channel), payload);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // The other instances catch up from OpenVidu when the connection is back (Reconnected).
            LogPublishFailed(channel, e.Message);
        }
    }

    public IDisposable Subscribe<T>(string channel, JsonTypeInfo<T> type, Func<T, string, Task> onMessage)
    {
        // Fire and forget: while Redis is away (an instance may start first) the client keeps the subscription and makes
        // it when the connection comes, instead of failing the start.
        var queue = redis.GetSubscriber().Subscribe(RedisChannel.Literal(channelPrefix + channel), CommandFlags.FireAndForget);
        queue.OnMessage(async message =>
        {
            var text = (string?)message.Message ?? "";
            var newline = text.IndexOf('\n', StringComparison.Ordinal);
            if (newline <= 0 || text.AsSpan(0, newline).SequenceEqual(InstanceId))
            {
                return;
            }

            try
            {
                var value = JsonSerializer.Deserialize(text.AsSpan(newline + 1), type);
                if (value is not null)
                {
                    await onMessage(value, text[..newline]);
                }
            }
            catch (Exception e)
            {
                // One bad message (another version of the app, a bug) must not stop the ones after it.
                LogHandlerFailed(e, channel);
            }
        });
        return new Unsubscribe(queue);
    }

    public void Dispose()
    {
        redis.ConnectionFailed -= OnConnectionFailed;
        redis.ConnectionRestored -= OnConnectionRestored;
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            LogLost(e.FailureType.ToString(), e.Exception?.Message ?? "");
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            LogRestored();
            Reconnected?.Invoke();
        }
    }

    private sealed class Unsubscribe(ChannelMessageQueue queue) : IDisposable
    {
        public void Dispose() => queue.Unsubscribe();
    }

    [LoggerMessage(EventId = 8000, Level = LogLevel.Warning, Message = "Lost Redis ({Failure}: {Reason}): other instances' changes do not reach this one until it is back")]
    private partial void LogLost(string failure, string reason);

    [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "Redis is back: catching up from OpenVidu")]
    private partial void LogRestored();

    [LoggerMessage(EventId = 8002, Level = LogLevel.Warning, Message = "Could not tell the other instances on {Channel}: {Reason}")]
    private partial void LogPublishFailed(string channel, string reason);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Error, Message = "A message from another instance on {Channel} failed")]
    private partial void LogHandlerFailed(Exception exception, string channel);
}
