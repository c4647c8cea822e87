namespace OpenViduEmulator.State;

/// <summary>Lets waiters await the next state change instead of sleeping.</summary>
internal sealed class ChangeSignal
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _version;

    public long Version
    {
        get
        {
            lock (_gate)
            {
                return _version;
            }
        }
    }

    public event EventHandler? Changed;

    /// <summary>A task that completes at the next <see cref="Raise"/>.</summary>
    public Task NextChange
    {
        get
        {
            lock (_gate)
            {
                return _next.Task;
            }
        }
    }

    public void Raise()
    {
        TaskCompletionSource done;
        lock (_gate)
        {
            _version++;
            done = _next;
            _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        done.TrySetResult();
        Changed?.Invoke(this, EventArgs.Empty);
    }
}
