namespace OpenViduEmulator.State;

/// <summary>Lets waiters await the next state change instead of sleeping.</summary>
internal sealed class ChangeSignal
{
    private readonly Lock gate = new();
    private TaskCompletionSource next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long version;

    public long Version
    {
        get
        {
            lock (gate)
            {
                return version;
            }
        }
    }

    public event EventHandler? Changed;

    /// <summary>A task that completes at the next <see cref="Raise"/>.</summary>
    public Task NextChange
    {
        get
        {
            lock (gate)
            {
                return next.Task;
            }
        }
    }

    public void Raise()
    {
        TaskCompletionSource done;
        lock (gate)
        {
            version++;
            done = next;
            next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        done.TrySetResult();
        Changed?.Invoke(this, EventArgs.Empty);
    }
}
