using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OpenViduServerSide.Components;
using OpenViduServerSide.Data;

namespace OpenViduServerSide.Features.History;

/// <summary>One person's time in one call: a camera connection (a screen share is not attendance).</summary>
/// <param name="LeftAt">Null while they are still in the call.</param>
public sealed record AttendanceRow(
    Guid CallId,
    string SessionName,
    DateTime CallStartedAt,
    string UserName,
    string Nickname,
    string Role,
    DateTime JoinedAt,
    DateTime? LeftAt,
    string? LeftReason,
    string? RemovedBy,
    int ChatMessages)
{
    /// <summary>Time in the call, up to <paramref name="now"/> for someone still in it.</summary>
    public TimeSpan Duration(DateTime now) => (LeftAt ?? now) - JoinedAt;

    /// <summary>How they left, in words (<see cref="DescribeLeaving"/>).</summary>
    public string HowTheyLeft => DescribeLeaving(LeftAt, LeftReason, RemovedBy);

    /// <summary>OpenVidu's reason for a connection's end, in words, with the moderator who removed it when one did.</summary>
    public static string DescribeLeaving(DateTime? leftAt, string? reason, string? removedBy) => (leftAt, reason) switch
    {
        (null, _) => "still in the call",
        (_, "disconnect") => "left",
        (_, "forceDisconnectByServer" or "forceDisconnectByUser") => removedBy is { } by ? $"removed by {by}" : "removed",
        (_, "networkDisconnect") => "connection lost",
        (_, "sessionClosedByServer") => "call ended by a moderator",
        (_, "openviduServerStopped" or "nodeCrashed" or "mediaServerDisconnect" or "mediaServerReconnect") => "video server stopped",
        (_, CallHistoryWriter.EndedUnseen) => "unknown (the app was not running)",
        (_, { Length: > 0 } other) => other,
        _ => "unknown",
    };
}

/// <summary>
/// Who was in which call, from when to when, as which role, how they left and how much they wrote: for one call, or
/// for a range of days (per user or everyone), read from the call history and the chat, and written as CSV.
/// Who may read what is the endpoints' business (<see cref="AttendanceEndpoints"/>).
/// </summary>
public sealed class AttendanceReport(IDbContextFactory<ApplicationDbContext> contexts)
{
    /// <summary>The longest range one report covers, so a request cannot make the server read the whole history at once.</summary>
    public const int MaxDays = 366;

    /// <summary>Everyone who was in the call, in the order they joined; empty if there is no such call.</summary>
    public async Task<IReadOnlyList<AttendanceRow>> ForCallAsync(Guid callId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await ReadAsync(db, db.Participations.Where(p => p.CallRecordId == callId), cancellationToken);
    }

    /// <summary>
    /// Every call that started from the first day to the last (UTC, both included), for one user or, with
    /// <paramref name="userName"/> null, everyone.
    /// </summary>
    public async Task<IReadOnlyList<AttendanceRow>> ForDaysAsync(DateOnly first, DateOnly last, string? userName, CancellationToken cancellationToken = default)
    {
        var from = first.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var to = last.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = db.Participations.Where(p => p.Call!.StartedAt >= from && p.Call.StartedAt < to);
        if (userName is not null)
        {
            rows = rows.Where(p => p.UserName == userName);
        }

        return await ReadAsync(db, rows, cancellationToken);
    }

    /// <summary>Whether the user was in the call (with a camera connection or a screen).</summary>
    public async Task<bool> WasInCallAsync(Guid callId, string userName, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Participations.AnyAsync(p => p.CallRecordId == callId && p.UserName == userName, cancellationToken);
    }

    private static async Task<IReadOnlyList<AttendanceRow>> ReadAsync(ApplicationDbContext db, IQueryable<Participation> participations, CancellationToken cancellationToken)
    {
        var rows = await participations
            .Where(p => !p.IsScreen)
            .Select(p => new
            {
                p.CallRecordId,
                p.Call!.SessionName,
                CallStartedAt = p.Call.StartedAt,
                p.UserName,
                p.Nickname,
                p.Role,
                p.JoinedAt,
                p.LeftAt,
                p.LeftReason,
                p.RemovedBy,
            })
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        if (rows.Count == 0)
        {
            return [];
        }

        // Chat is counted per person and call (someone who joined twice wrote their messages once, so both rows say it).
        var callIds = rows.Select(r => r.CallRecordId).Distinct().ToList();
        var chat = await db.ChatMessages
            .Where(m => callIds.Contains(m.CallId))
            .GroupBy(m => new { m.CallId, m.UserName })
            .Select(g => new { g.Key.CallId, g.Key.UserName, Count = g.Count() })
            .ToDictionaryAsync(g => (g.CallId, g.UserName), g => g.Count, cancellationToken);
        return [.. rows
            .OrderBy(r => r.CallStartedAt).ThenBy(r => r.CallRecordId).ThenBy(r => r.JoinedAt).ThenBy(r => r.UserName, StringComparer.Ordinal)
            .Select(r => new AttendanceRow(r.CallRecordId, r.SessionName, r.CallStartedAt, r.UserName, r.Nickname, r.Role, r.JoinedAt,
                r.LeftAt, r.LeftReason, r.RemovedBy, chat.GetValueOrDefault((r.CallRecordId, r.UserName))))];
    }

    /// <summary>
    /// RFC 4180 CSV with a header line, times in UTC to the second, durations as h:mm:ss (spreadsheets read both), a
    /// byte order mark so spreadsheet programs read it as UTF-8, and text that could start a formula made inert.
    /// </summary>
    public static string ToCsv(IEnumerable<AttendanceRow> rows, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var csv = new StringBuilder("\uFEFF");
        Line(csv, ["Call", "Call started (UTC)", "User", "Nickname", "Role", "Joined (UTC)", "Left (UTC)", "Time in call", "How they left", "Chat messages"]);
        foreach (var row in rows)
        {
            Line(csv,
            [
                row.SessionName, Time(row.CallStartedAt), row.UserName, row.Nickname, row.Role, Time(row.JoinedAt),
                row.LeftAt is { } left ? Time(left) : "", Duration(row.Duration(now)), row.HowTheyLeft,
                row.ChatMessages.ToString(CultureInfo.InvariantCulture),
            ]);
        }

        return csv.ToString();
    }

    // The columns' headers say UTC.
    private static string Time(DateTime utc) => UtcTime.FormatSeconds(utc);

    private static string Duration(TimeSpan duration) =>
        duration <= TimeSpan.Zero ? "0:00:00" : ((int)duration.TotalHours).ToString(CultureInfo.InvariantCulture) + duration.ToString(@"\:mm\:ss", CultureInfo.InvariantCulture);

    private static void Line(StringBuilder csv, IEnumerable<string> fields)
    {
        csv.AppendJoin(',', fields.Select(Field));
        csv.Append("\r\n");
    }

    private static string Field(string value)
    {
        // A nickname such as "=HYPERLINK(…)" must stay text in a spreadsheet (CSV injection): a leading quote keeps it so.
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
