using System.Data.Common;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;

namespace OpenViduServerSide.Data;

/// <summary>
/// Writes the audit row of an action that has already happened elsewhere (at OpenVidu: moderation, recordings), so a
/// failed write is logged and does not turn a done action into an error (nor end the page). Account changes write
/// theirs inside their own transaction instead (<c>UserAdministration</c>).
/// </summary>
public sealed partial class AuditLog(IDbContextFactory<ApplicationDbContext> contexts, TimeProvider clock, ILogger<AuditLog> logger)
{
    public async Task WriteAsync(ClaimsPrincipal actor, string action, string target, string? details)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var name = actor.Identity?.Name ?? "?";
        try
        {
            await using var db = await contexts.CreateDbContextAsync();
            db.AuditEntries.Add(new AuditEntry
            {
                At = clock.GetUtcNow().UtcDateTime,
                Actor = name,
                Action = action,
                Target = target,
                Details = details is { Length: > AuditEntry.DetailsMaxLength } ? details[..AuditEntry.DetailsMaxLength] : details,
            });
            await db.SaveChangesAsync();
        }
        catch (Exception e) when (e is DbException or DbUpdateException)
        {
            LogFailed(e, action, name, target, details ?? "");
        }
    }

    [LoggerMessage(EventId = 1010, Level = LogLevel.Error, Message = "Could not audit {Action} by {Actor} on {Target} ({Details}); the action itself was done")]
    private partial void LogFailed(Exception exception, string action, string actor, string target, string details);
}
