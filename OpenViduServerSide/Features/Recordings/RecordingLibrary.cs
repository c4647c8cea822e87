using System.Data.Common;
using System.Net;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Accounts;
using OpenViduServerSide.OpenVidu;

namespace OpenViduServerSide.Features.Recordings;

/// <summary>One recording as the lists show it: OpenVidu's facts joined with who started it (<see cref="RecordingEntry"/>).</summary>
public sealed record RecordingRow(
    string Id,
    string SessionName,
    string? StartedBy,
    DateTime StartedAt,
    double DurationSeconds,
    long Size,
    string Status)
{
    /// <summary>Only a ready recording has a complete file to play or download.</summary>
    public bool HasFile => Status == "ready";
}

/// <summary>The rows one user may see, or why there are none to show (OpenVidu not answering).</summary>
public sealed record RecordingListing(IReadOnlyList<RecordingRow> Rows, string? Problem);

/// <summary>
/// The recordings that exist (OpenVidu's list is the truth about files; the stored entries add who started each and which
/// call it was). An Admin sees and deletes them all; anyone else sees those of the calls they were in (a
/// <see cref="Participation"/> in the entry's <see cref="RecordingEntry.CallId"/>), which is also who may fetch a file.
/// </summary>
public sealed partial class RecordingLibrary(
    OpenViduClient openVidu,
    IDbContextFactory<ApplicationDbContext> contexts,
    TimeProvider clock,
    ILogger<RecordingLibrary> logger)
{
    public async Task<RecordingListing> ListAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        IReadOnlyList<Recording> recordings;
        try
        {
            recordings = await openVidu.ListRecordingsAsync(cancellationToken);
        }
        catch (OpenViduException e) when (e.Status == HttpStatusCode.NotImplemented)
        {
            return new RecordingListing([], RecordingMessages.Disabled);
        }
        catch (Exception e) when (e is OpenViduException or OpenViduUnavailableException)
        {
            return new RecordingListing([], e is OpenViduException o ? o.UserMessage : e.Message);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entries = await db.Recordings.AsNoTracking().ToDictionaryAsync(r => r.Id, StringComparer.Ordinal, cancellationToken);
        var visible = user.IsInRole(Roles.Admin) ? null : await CallsOfAsync(db, user, cancellationToken);
        var rows = recordings
            .Select(r => (Recording: r, Entry: entries.GetValueOrDefault(r.Id)))
            .Where(x => visible is null || (x.Entry?.CallId is { } callId && visible.Contains(callId)))
            .Select(x => new RecordingRow(
                x.Recording.Id,
                x.Recording.SessionId,
                x.Entry?.StartedBy,
                DateTimeOffset.FromUnixTimeMilliseconds(x.Recording.CreatedAt).UtcDateTime,
                x.Recording.Duration,
                x.Recording.Size,
                x.Recording.Status))
            .OrderByDescending(r => r.StartedAt)
            .ToList();
        return new RecordingListing(rows, null);
    }

    /// <summary>Whether the user may fetch the recording's file: an Admin, or someone who was in its call.</summary>
    public async Task<bool> MayReadAsync(ClaimsPrincipal user, string recordingId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.IsInRole(Roles.Admin))
        {
            return true;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var callId = await db.Recordings.AsNoTracking().Where(r => r.Id == recordingId).Select(r => r.CallId).FirstOrDefaultAsync(cancellationToken);
        var userName = user.Identity?.Name ?? "";
        return callId is { } id
            && await db.Participations.AnyAsync(p => p.CallRecordId == id && p.UserName == userName, cancellationToken);
    }

    /// <summary>Deletes the file at OpenVidu and the stored entry; an Admin only, audited.</summary>
    public async Task<RecordingResult> DeleteAsync(ClaimsPrincipal actor, string recordingId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!actor.IsInRole(Roles.Admin))
        {
            return new RecordingResult(false, RecordingMessages.DeleteNotAllowed);
        }

        bool existed;
        try
        {
            existed = await openVidu.DeleteRecordingAsync(recordingId, cancellationToken);
        }
        catch (OpenViduException e)
        {
            return new RecordingResult(false, e.Status switch
            {
                HttpStatusCode.Conflict => RecordingMessages.DeleteInProgress,
                HttpStatusCode.NotImplemented => RecordingMessages.Disabled,
                _ => e.UserMessage,
            });
        }
        catch (OpenViduUnavailableException e)
        {
            return new RecordingResult(false, e.Message);
        }

        var actorName = actor.Identity?.Name ?? "?";
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            await db.Recordings.Where(r => r.Id == recordingId).ExecuteDeleteAsync(cancellationToken);
            db.AuditEntries.Add(new AuditEntry
            {
                At = clock.GetUtcNow().UtcDateTime,
                Actor = actorName,
                Action = AuditActions.DeleteRecording,
                Target = recordingId,
                Details = existed ? "deleted at OpenVidu" : "already gone at OpenVidu",
            });
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (Exception e) when (e is DbException or DbUpdateException)
        {
            LogSaveFailed(e, recordingId);
        }

        LogDeleted(actorName, recordingId);
        return new RecordingResult(true, existed ? RecordingMessages.Deleted : RecordingMessages.AlreadyGone);
    }

    private static async Task<HashSet<Guid>> CallsOfAsync(ApplicationDbContext db, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var userName = user.Identity?.Name ?? "";
        var calls = await db.Participations.AsNoTracking().Where(p => p.UserName == userName).Select(p => p.CallRecordId).Distinct().ToListAsync(cancellationToken);
        return [.. calls];
    }

    [LoggerMessage(EventId = 7010, Level = LogLevel.Information, Message = "{Actor} deleted recording {RecordingId}")]
    private partial void LogDeleted(string actor, string recordingId);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Warning, Message = "Could not remove the stored entry or audit of deleted recording {RecordingId}")]
    private partial void LogSaveFailed(Exception exception, string recordingId);
}
