using OpenViduServerSide.Features.Directory;

namespace OpenViduServerSide.Tests.Infrastructure;

public static class DirectoryWait
{
    /// <summary>Completes when <paramref name="condition"/> holds, checked now and after every change of the directory.</summary>
    public static async Task UntilAsync(this CallDirectory directory, Func<CallDirectory, bool> condition, TimeSpan timeout)
    {
        var met = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = directory.Subscribe(null, _ =>
        {
            if (condition(directory))
            {
                met.TrySetResult();
            }

            return Task.CompletedTask;
        });
        if (condition(directory))
        {
            return;
        }

        await met.Task.WaitAsync(timeout, TestContext.Current.CancellationToken);
    }
}
