using Microsoft.Extensions.Logging.Abstractions;
using OpenViduServerSide.Features.Directory;

namespace OpenViduServerSide.Tests.Features.Directory;

/// <summary>
/// Pages watch the directory (CallDirectory.Watch): their refresh runs off the thread that made the change, so a join
/// does not wait for every open page to render, and changes made while a page refreshes are folded into one more refresh.
/// </summary>
public sealed class DirectoryWatchTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly CallDirectory directory = new(TimeProvider.System, NullLogger<CallDirectory>.Instance);

    private void Issue(string session, string connectionId) =>
        directory.Issued(session, null, connectionId, "ann", "Nick", "PUBLISHER", ConnectionKind.Camera);

    [Fact]
    public async Task A_change_is_made_without_waiting_for_the_pages_that_watch_it()
    {
        using var held = new ManualResetEventSlim();
        var refreshed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watch = directory.Watch("A", () =>
        {
            held.Wait(TimeSpan.FromSeconds(30)); // a slow page
            refreshed.TrySetResult();
            return Task.CompletedTask;
        });

        // Run inline, the refresh would hold the change until the page is released, well past this wait.
        await Task.Run(() => Issue("A", "c1"), TestContext.Current.CancellationToken).WaitAsync(Wait, TestContext.Current.CancellationToken);

        held.Set();
        await refreshed.Task.WaitAsync(Wait, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Changes_made_while_a_page_refreshes_are_folded_into_one_more_refresh()
    {
        var gate = new SemaphoreSlim(0);
        var started = new SemaphoreSlim(0);
        var seen = new List<int>();
        var secondDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thirdDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watch = directory.Watch("A", async () =>
        {
            started.Release();
            await gate.WaitAsync();
            lock (seen)
            {
                seen.Add(directory.GetParticipants("A").Count);
                (seen.Count == 2 ? secondDone : seen.Count == 3 ? thirdDone : null)?.TrySetResult();
            }
        });

        Issue("A", "c1");
        await started.WaitAsync(Wait, TestContext.Current.CancellationToken); // the first refresh runs, held at the gate
        for (var i = 2; i <= 5; i++)
        {
            Issue("A", $"c{i}");
        }

        gate.Release(10);
        await secondDone.Task.WaitAsync(Wait, TestContext.Current.CancellationToken);
        Issue("A", "c6"); // after both: a refresh of its own
        await thirdDone.Task.WaitAsync(Wait, TestContext.Current.CancellationToken);

        lock (seen)
        {
            // Not one refresh per change, and not only the one that may have read before the last changes.
            Assert.Equal([5, 5, 6], seen);
        }
    }

    [Fact]
    public async Task A_watch_of_another_call_or_a_stopped_watch_is_not_refreshed()
    {
        var other = 0;
        var stopped = 0;
        var thisCall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watchOther = directory.Watch("B", () => { Interlocked.Increment(ref other); return Task.CompletedTask; });
        var watchStopped = directory.Watch("A", () => { Interlocked.Increment(ref stopped); return Task.CompletedTask; });
        watchStopped.Dispose();
        using var watchA = directory.Watch("A", () => { thisCall.TrySetResult(); return Task.CompletedTask; });

        Issue("A", "c1");
        await thisCall.Task.WaitAsync(Wait, TestContext.Current.CancellationToken);

        Assert.Equal(0, other);
        Assert.Equal(0, stopped);
    }
}
