using System.Globalization;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenViduServerSide.Features.Accounts;

namespace OpenViduServerSide.Features.History;

/// <summary>
/// The attendance CSV downloads. An admin reads every call and every user; anyone else reads the calls they were in
/// (everyone in them: they saw who was there) and their own attendance over a range of days. A call someone may not
/// read answers 404, as one that does not exist, so ids cannot be probed.
/// </summary>
public static partial class AttendanceEndpoints
{
    public const string CallPath = "/history/calls/{callId:guid}/attendance.csv";

    public const string DaysPath = "/history/attendance.csv";

    public static string CallUrl(Guid callId) => $"history/calls/{callId}/attendance.csv";

    public static string DaysUrl(DateOnly first, DateOnly last, string? userName) =>
        $"history/attendance.csv?from={first:yyyy-MM-dd}&to={last:yyyy-MM-dd}" + (userName is null ? "" : "&user=" + Uri.EscapeDataString(userName));

    public static IEndpointRouteBuilder MapAttendance(this IEndpointRouteBuilder endpoints)
    {
        // The fallback policy already requires a signed-in user; each handler decides what that user may read.
        endpoints.MapGet(CallPath, ForCallAsync);
        endpoints.MapGet(DaysPath, ForDaysAsync);
        return endpoints;
    }

    private static async Task<Results<FileContentHttpResult, NotFound>> ForCallAsync(
        Guid callId, ClaimsPrincipal user, AttendanceReport report, TimeProvider clock, ILogger<AttendanceReport> logger, CancellationToken cancellationToken)
    {
        var userName = user.Identity?.Name ?? "";
        if (!user.IsInRole(Roles.Admin) && !await report.WasInCallAsync(callId, userName, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        var rows = await report.ForCallAsync(callId, cancellationToken);
        if (rows.Count == 0)
        {
            return TypedResults.NotFound();
        }

        LogCallExported(logger, userName, rows[0].SessionName, rows.Count);
        var now = clock.GetUtcNow().UtcDateTime;
        return Csv(AttendanceReport.ToCsv(rows, now), $"attendance-{rows[0].SessionName}-{rows[0].CallStartedAt:yyyyMMdd-HHmm}.csv");
    }

    private static async Task<Results<FileContentHttpResult, BadRequest<string>, ForbidHttpResult>> ForDaysAsync(
        string? from, string? to, string? user, ClaimsPrincipal principal, AttendanceReport report, TimeProvider clock,
        ILogger<AttendanceReport> logger, CancellationToken cancellationToken)
    {
        if (!TryParseDay(from, out var first) || !TryParseDay(to, out var last))
        {
            return TypedResults.BadRequest("Give the first and last day as from=YYYY-MM-DD&to=YYYY-MM-DD.");
        }

        if (last < first)
        {
            return TypedResults.BadRequest("The last day comes before the first.");
        }

        if (last.DayNumber - first.DayNumber >= AttendanceReport.MaxDays)
        {
            return TypedResults.BadRequest($"A report covers at most {AttendanceReport.MaxDays} days.");
        }

        var me = principal.Identity?.Name ?? "";
        var whose = string.IsNullOrWhiteSpace(user) ? null : user.Trim();
        if (!principal.IsInRole(Roles.Admin))
        {
            // Not an admin: only their own attendance, asked for by name or not.
            if (whose is not null && !string.Equals(whose, me, StringComparison.Ordinal))
            {
                return TypedResults.Forbid();
            }

            whose = me;
        }

        var rows = await report.ForDaysAsync(first, last, whose, cancellationToken);
        LogDaysExported(logger, me, first, last, whose ?? "everyone", rows.Count);
        var now = clock.GetUtcNow().UtcDateTime;
        return Csv(AttendanceReport.ToCsv(rows, now), $"attendance-{whose ?? "everyone"}-{first:yyyyMMdd}-{last:yyyyMMdd}.csv");
    }

    private static bool TryParseDay(string? text, out DateOnly day) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);

    private static FileContentHttpResult Csv(string csv, string fileName) =>
        TypedResults.File(Encoding.UTF8.GetBytes(csv), "text/csv; charset=utf-8", SafeFileName(fileName));

    // Call and user names are restricted already; this keeps the header safe whatever a name holds.
    private static string SafeFileName(string name) =>
        string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));

    [LoggerMessage(EventId = 4110, Level = LogLevel.Information, Message = "{User} exported the attendance of the call {SessionName} ({Rows} rows)")]
    private static partial void LogCallExported(ILogger logger, string user, string sessionName, int rows);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Information, Message = "{User} exported the attendance of {Whose} from {First} to {Last} ({Rows} rows)")]
    private static partial void LogDaysExported(ILogger logger, string user, DateOnly first, DateOnly last, string whose, int rows);
}
