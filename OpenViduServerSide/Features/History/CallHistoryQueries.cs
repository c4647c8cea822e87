using Microsoft.EntityFrameworkCore;
using OpenViduServerSide.Data;

namespace OpenViduServerSide.Features.History;

/// <summary>A user's own part in a call.</summary>
public sealed record MyCall(Guid CallId, string SessionName, DateTime JoinedAt, DateTime? LeftAt, string Role, string? LeftReason, bool CallEnded);

/// <summary>A call with everyone who was in it, for admins.</summary>
public sealed record CallSummary(Guid Id, string SessionName, DateTime StartedAt, DateTime? EndedAt, string? EndReason, IReadOnlyList<ParticipationSummary> Participants, int ChatMessages = 0);

public sealed record ParticipationSummary(string UserName, string Nickname, string Role, bool IsScreen, DateTime JoinedAt, DateTime? LeftAt, string? LeftReason, string? RemovedBy = null)
{
    public string HowTheyLeft => AttendanceRow.DescribeLeaving(LeftAt, LeftReason, RemovedBy);
}

/// <summary>Reads history; one DbContext per query, as circuits need.</summary>
public sealed class CallHistoryQueries(IDbContextFactory<ApplicationDbContext> contexts)
{
    public async Task<IReadOnlyList<MyCall>> RecentCallsOfAsync(string userName, int take = 10, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Participations
            .Where(p => p.UserName == userName && !p.IsScreen)
            .OrderByDescending(p => p.JoinedAt)
            .Take(take)
            .Select(p => new MyCall(p.CallRecordId, p.Call!.SessionName, p.JoinedAt, p.LeftAt, p.Role, p.LeftReason, p.Call.EndedAt != null))
            .ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<CallSummary>> AllCallsAsync(int take = 100, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var calls = await db.Calls
            .OrderByDescending(c => c.StartedAt)
            .Take(take)
            .Include(c => c.Participations)
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        var ids = calls.Select(c => c.Id).ToList();
        var chat = await db.ChatMessages.Where(m => ids.Contains(m.CallId)).GroupBy(m => m.CallId)
            .Select(g => new { CallId = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.CallId, g => g.Count, cancellationToken);
        return [.. calls.Select(c => new CallSummary(c.Id, c.SessionName, c.StartedAt, c.EndedAt, c.EndReason,
            [.. c.Participations.OrderBy(p => p.JoinedAt).Select(p => new ParticipationSummary(p.UserName, p.Nickname, p.Role, p.IsScreen, p.JoinedAt, p.LeftAt, p.LeftReason, p.RemovedBy))],
            chat.GetValueOrDefault(c.Id)))];
    }
}
