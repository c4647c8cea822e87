using System.Data.Common;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using OpenViduServerSide.Data;

namespace OpenViduServerSide.Features.Recordings;

/// <summary>
/// The stored side: who started each recording and where it stands (<see cref="RecordingEntry"/>, which OpenVidu does
/// not know), and the audit rows of starts and stops.
/// </summary>
public sealed partial class CallRecordings
{
    /// <summary>
    /// Creates or updates the stored row, one write at a time (the app's own start and the webhook's <c>started</c> race to
    /// insert it). A status never goes back (the stop's <c>stopped</c> may land after the webhook's <c>ready</c>). A
    /// database failure is logged, never thrown at a page or the webhook.
    /// </summary>
    private async Task SaveAsync(string recordingId, Action<RecordingEntry> change)
    {
        await writes.WaitAsync();
        try
        {
            await using var db = await contexts.CreateDbContextAsync();
            var entry = await db.Recordings.FindAsync(recordingId);
            if (entry is null)
            {
                entry = new RecordingEntry { Id = recordingId, SessionName = "", Status = "" };
                db.Recordings.Add(entry);
            }

            var before = entry.Status;
            change(entry);
            if (Rank(entry.Status) < Rank(before))
            {
                entry.Status = before;
            }

            await db.SaveChangesAsync();
        }
        catch (Exception e) when (e is DbException or DbUpdateException)
        {
            LogSaveFailed(e, recordingId);
        }
        finally
        {
            writes.Release();
        }
    }

    public void Dispose() => writes.Dispose();

    private static int Rank(string status) => status switch
    {
        "starting" => 1,
        "started" => 2,
        "stopped" => 3,
        "ready" or "failed" => 4,
        _ => 0,
    };

    private Task AuditAsync(ClaimsPrincipal actor, string action, string target, string details) =>
        audit.WriteAsync(actor, action, target, details);
}
