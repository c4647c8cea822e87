using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Directory;

namespace OpenViduServerSide.Features.History;

/// <summary>
/// Writes calls and participations to SQLite from <see cref="CallDirectory"/>'s changes, so history has the same single
/// source of truth as the live lists (webhooks, app joins and leaves, reconciliation). Changes are queued and written in
/// batches off the request path; each write is a merge (first join, first leave), so order and repeats do not matter.
/// <para>
/// Nothing is lost on the way: a batch that fails is retried, and kept for the next batch if it still fails (the database
/// may be busy or briefly unreachable); on stop the queue is drained before the host goes on; and after a reconciliation
/// (at start-up, after a restart) calls and participations the directory no longer holds are closed, since they ended
/// while nobody was writing.
/// </para>
/// </summary>
public sealed partial class CallHistoryWriter(
    CallDirectory directory,
    IDbContextFactory<ApplicationDbContext> contexts,
    TimeProvider clock,
    ILogger<CallHistoryWriter> logger)
    : BackgroundService
{
    /// <summary>The reason recorded for what ended unseen (found over at a reconciliation).</summary>
    public const string EndedUnseen = "endedUnseen";

    /// <summary>At most this many changes wait for a database that keeps failing; older ones are dropped (and logged) first.</summary>
    internal const int MaxCarriedOver = 10_000;

    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500)];

    private readonly Channel<object> queue = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private IDisposable? subscription;

    /// <summary>Completes once everything queued before the call was written, or tried and kept for the next batch.</summary>
    public Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!queue.Writer.TryWrite(done))
        {
            done.SetResult();
        }

        return done.Task;
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Only changes that can write something are queued: a connection that never joined (a token minted through the API
        // and deleted, revoked or never used) is not a participation (see Merge), so its Left costs no database round trip.
        subscription = directory.Subscribe(null, change =>
        {
            // Another instance made it and writes it (history is one database for the whole deployment).
            if (change.Replicated)
            {
                return Task.CompletedTask;
            }

            if (change.Kind is DirectoryChangeKind.SessionEnded or DirectoryChangeKind.Reconciled
                || (change.Kind is DirectoryChangeKind.Joined or DirectoryChangeKind.Left && change.Participant?.JoinedAt is not null))
            {
                queue.Writer.TryWrite(change);
            }

            return Task.CompletedTask;
        });
        return base.StartAsync(cancellationToken);
    }

    /// <summary>Stops taking changes, then writes what is queued (within the host's shutdown timeout) before it returns.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        subscription?.Dispose();
        queue.Writer.TryComplete();
        if (ExecuteTask is { } writing)
        {
            await writing.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The loop ends when StopAsync completes the queue, not on the stopping token: what is queued is still written.
        var batch = new List<DirectoryChange>();
        var flushes = new List<TaskCompletionSource>();
        while (await queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (queue.Reader.TryRead(out var item))
            {
                if (item is DirectoryChange change)
                {
                    batch.Add(change);
                }
                else
                {
                    flushes.Add((TaskCompletionSource)item);
                }
            }

            if (await WriteWithRetriesAsync(batch))
            {
                batch.Clear();
            }
            else
            {
                await KeepOnlyUnwritableAsync(batch);
            }

            if (batch.Count > MaxCarriedOver)
            {
                LogDropped(batch.Count - MaxCarriedOver);
                batch.RemoveRange(0, batch.Count - MaxCarriedOver);
            }

            flushes.ForEach(f => f.TrySetResult());
            flushes.Clear();
        }
    }

    /// <summary>
    /// After a batch failed for good, writes its changes one by one, so one change the database refuses cannot hold back
    /// the others; what still fails stays in <paramref name="batch"/> for the next round.
    /// </summary>
    private async Task KeepOnlyUnwritableAsync(List<DirectoryChange> batch)
    {
        var failed = new List<DirectoryChange>();
        foreach (var change in batch)
        {
            try
            {
                await WriteAsync([change]);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failed.Add(change);
            }
        }

        batch.Clear();
        batch.AddRange(failed);
    }

    private async Task<bool> WriteWithRetriesAsync(List<DirectoryChange> changes)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await WriteAsync(changes);
                return true;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // History is a record, not the call itself: a busy, locked or broken database must not stop the host
                // (an exception escaping a BackgroundService does), and what failed is tried again.
                if (attempt == RetryDelays.Length)
                {
                    LogWriteFailed(e, changes.Count);
                    return false;
                }

                await Task.Delay(RetryDelays[attempt], clock);
            }
        }
    }

    private async Task WriteAsync(List<DirectoryChange> changes)
    {
        if (changes.Count == 0)
        {
            return;
        }

        await using var db = await contexts.CreateDbContextAsync();
        var callIds = changes.Select(c => c.CallId).Distinct().ToList();
        var connectionIds = changes.Where(c => c.Participant is not null).Select(c => c.Participant!.ConnectionId).Distinct().ToList();
        var calls = await db.Calls.Where(c => callIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id);
        var participations = await db.Participations.Where(p => connectionIds.Contains(p.ConnectionId)).ToDictionaryAsync(p => p.ConnectionId);

        foreach (var change in changes)
        {
            if (change.Kind == DirectoryChangeKind.Reconciled)
            {
                await db.SaveChangesAsync();
                await CloseUnseenAsync(db, change.At.UtcDateTime);
            }
            else
            {
                Merge(db, calls, participations, change);
            }
        }

        await db.SaveChangesAsync();
    }

    /// <summary>Closes every open call and participation the directory does not hold: they ended while nobody wrote them down.</summary>
    private async Task CloseUnseenAsync(ApplicationDbContext db, DateTime at)
    {
        var liveCalls = directory.LiveCallIds.ToHashSet();
        var liveConnections = directory.SessionNamesInUse.SelectMany(directory.GetParticipants).Select(p => p.ConnectionId).ToHashSet(StringComparer.Ordinal);
        var openCalls = await db.Calls.Where(c => c.EndedAt == null).ToListAsync();
        var openParticipations = await db.Participations.Where(p => p.LeftAt == null).ToListAsync();
        var closed = 0;
        foreach (var participation in openParticipations.Where(p => !liveConnections.Contains(p.ConnectionId)))
        {
            participation.LeftAt = at < participation.JoinedAt ? participation.JoinedAt : at;
            participation.LeftReason = EndedUnseen;
            closed++;
        }

        foreach (var call in openCalls.Where(c => !liveCalls.Contains(c.Id)))
        {
            call.EndedAt = at < call.StartedAt ? call.StartedAt : at;
            call.EndReason = EndedUnseen;
            closed++;
        }

        if (closed > 0)
        {
            LogClosedUnseen(closed);
        }
    }

    private static void Merge(ApplicationDbContext db, Dictionary<Guid, CallRecord> calls, Dictionary<string, Participation> participations, DirectoryChange change)
    {
        var at = change.At.UtcDateTime;
        if (change.Kind == DirectoryChangeKind.SessionEnded)
        {
            if (calls.TryGetValue(change.CallId, out var ended) && ended.EndedAt is null)
            {
                ended.EndedAt = at;
                ended.EndReason = change.Reason;
            }

            return;
        }

        // A connection that never joined (a token revoked or never used) is not a participation (contract P4).
        if (change.Participant is not { JoinedAt: { } joinedAt } participant)
        {
            return;
        }

        if (!calls.TryGetValue(change.CallId, out var call))
        {
            call = new CallRecord { Id = change.CallId, SessionName = change.SessionName, StartedAt = joinedAt.UtcDateTime };
            calls[call.Id] = call;
            db.Calls.Add(call);
        }
        else if (joinedAt.UtcDateTime < call.StartedAt)
        {
            call.StartedAt = joinedAt.UtcDateTime;
        }

        if (!participations.TryGetValue(participant.ConnectionId, out var row))
        {
            row = new Participation
            {
                CallRecordId = call.Id,
                ConnectionId = participant.ConnectionId,
                UserName = participant.UserName,
                Nickname = participant.Nickname,
                Role = participant.Role,
                IsScreen = participant.Kind == ConnectionKind.Screen,
                JoinedAt = joinedAt.UtcDateTime,
            };
            participations[row.ConnectionId] = row;
            db.Participations.Add(row);
        }

        if (change.Kind == DirectoryChangeKind.Left && row.LeftAt is null)
        {
            // Join and leave times can come from different clocks (OpenVidu's webhooks, this server): never before the join.
            row.LeftAt = at < row.JoinedAt ? row.JoinedAt : at;
            row.LeftReason = change.Reason;
            row.RemovedBy = change.RemovedBy;
        }
    }

    public override void Dispose()
    {
        subscription?.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Error, Message = "Could not write {Count} call history changes after retries; they are kept for the next batch")]
    private partial void LogWriteFailed(Exception exception, int count);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Error, Message = "Dropped {Count} call history changes: the database kept failing")]
    private partial void LogDropped(int count);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Closed {Count} calls and participations that ended while they could not be recorded")]
    private partial void LogClosedUnseen(int count);
}
