using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Calls;

namespace OpenViduServerSide.Features.History;

/// <summary>
/// Writes calls and participations to SQLite from <see cref="SessionDirectory"/>'s changes, so history has the same single
/// source of truth as the live lists (webhooks, app joins and leaves, reconciliation). Changes are queued and written in
/// batches off the request path; each write is a merge (first join, first leave), so order and repeats do not matter.
/// </summary>
public sealed partial class CallHistoryWriter(SessionDirectory directory, IDbContextFactory<ApplicationDbContext> contexts, ILogger<CallHistoryWriter> logger)
    : BackgroundService
{
    private readonly Channel<object> queue = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Completes once everything queued before the call is in the database.</summary>
    public Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        queue.Writer.TryWrite(done);
        return done.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Only changes that can write something are queued: a connection that never joined (a token minted through the API
        // and deleted, revoked or never used) is not a participation (see Merge), so its Left costs no database round trip.
        using var subscription = directory.Subscribe(null, change =>
        {
            if (change.Kind is DirectoryChangeKind.SessionEnded
                || (change.Kind is DirectoryChangeKind.Joined or DirectoryChangeKind.Left && change.Participant?.JoinedAt is not null))
            {
                queue.Writer.TryWrite(change);
            }

            return Task.CompletedTask;
        });

        // Calls that had a participation queued: only those can have a row for SessionEnded to close. Call ids are new
        // Guids of this process's directory, so a call that is not here has no row (the end of a call nobody joined is
        // skipped, as Merge would skip it after a query that finds nothing).
        var recorded = new HashSet<Guid>();
        var batch = new List<DirectoryChange>();
        var flushes = new List<TaskCompletionSource>();
        while (await queue.Reader.WaitToReadAsync(stoppingToken))
        {
            while (queue.Reader.TryRead(out var item))
            {
                if (item is DirectoryChange change)
                {
                    if (change.Kind != DirectoryChangeKind.SessionEnded)
                    {
                        recorded.Add(change.CallId);
                        batch.Add(change);
                    }
                    else if (recorded.Remove(change.CallId))
                    {
                        batch.Add(change);
                    }
                }
                else
                {
                    flushes.Add((TaskCompletionSource)item);
                }
            }

            await WriteAsync(batch, stoppingToken);
            batch.Clear();
            flushes.ForEach(f => f.TrySetResult());
            flushes.Clear();
        }
    }

    private async Task WriteAsync(List<DirectoryChange> changes, CancellationToken cancellationToken)
    {
        if (changes.Count == 0)
        {
            return;
        }

        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var callIds = changes.Select(c => c.CallId).Distinct().ToList();
            var connectionIds = changes.Where(c => c.Participant is not null).Select(c => c.Participant!.ConnectionId).Distinct().ToList();
            var calls = await db.Calls.Where(c => callIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, cancellationToken);
            var participations = await db.Participations.Where(p => connectionIds.Contains(p.ConnectionId)).ToDictionaryAsync(p => p.ConnectionId, cancellationToken);

            foreach (var change in changes)
            {
                Merge(db, calls, participations, change);
            }

            await db.SaveChangesAsync(cancellationToken);
        }
        catch (Exception e) when (e is DbUpdateException or InvalidOperationException)
        {
            // History is a record, not the call itself: log and carry on rather than stop writing for good.
            LogWriteFailed(e, changes.Count);
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
        }
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Error, Message = "Could not write {Count} call history changes")]
    private partial void LogWriteFailed(Exception exception, int count);
}
