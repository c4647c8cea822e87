using System.Text.Json.Serialization.Metadata;

namespace OpenViduServerSide.ScaleOut;

/// <summary>One instance, nobody to tell: the embedded default (SQLite, no Redis).</summary>
public sealed class SingleInstanceBus : IInstanceBus
{
    public string InstanceId { get; } = Guid.NewGuid().ToString("N");

    public bool IsShared => false;

    public bool IsConnected => true;

    public event Action? Reconnected
    {
        add { }
        remove { }
    }

    public Task PublishAsync<T>(string channel, T message, JsonTypeInfo<T> type) => Task.CompletedTask;

    public IDisposable Subscribe<T>(string channel, JsonTypeInfo<T> type, Func<T, string, Task> onMessage) => Nothing.Instance;

    private sealed class Nothing : IDisposable
    {
        public static readonly Nothing Instance = new();

        public void Dispose()
        {
        }
    }
}
