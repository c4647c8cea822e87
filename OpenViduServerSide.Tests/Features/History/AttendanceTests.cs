using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.History;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.History;

/// <summary>
/// The attendance report over a real SQLite file, and its CSV downloads over HTTP with the demo users' real sign-ins:
/// what each row says, and who may read what.
/// </summary>
public sealed class AttendanceTests : IAsyncLifetime
{
    private static readonly DateTime Monday = new(2026, 11, 23, 9, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Tuesday = new(2026, 11, 24, 9, 0, 0, DateTimeKind.Utc);

    private readonly AppFactory app = new();
    private readonly CallRecord standup = new() { Id = Guid.NewGuid(), SessionName = "Standup", StartedAt = Monday, EndedAt = Monday.AddMinutes(30), EndReason = "sessionClosedByServer" };
    private readonly CallRecord review = new() { Id = Guid.NewGuid(), SessionName = "Review", StartedAt = Tuesday };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _ = app.Server;
        standup.Participations.Add(Row("c1", "moderator", "Mo", "MODERATOR", Monday, Monday.AddMinutes(30), "sessionClosedByServer"));
        standup.Participations.Add(Row("c2", "publisher1", "=HYPERLINK(\"http://x\")", "PUBLISHER", Monday.AddMinutes(1), Monday.AddMinutes(11).AddSeconds(5), "forceDisconnectByServer", removedBy: "moderator"));
        standup.Participations.Add(Row("c3", "publisher1", "Al, again", "PUBLISHER", Monday.AddMinutes(2), Monday.AddMinutes(3), "disconnect", isScreen: true));
        standup.Participations.Add(Row("c4", "subscriber", "Sue", "SUBSCRIBER", Monday.AddMinutes(3), Monday.AddMinutes(4), "networkDisconnect"));
        review.Participations.Add(Row("c5", "publisher1", "Al", "PUBLISHER", Tuesday, null, null));
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync(Ct);
        db.Calls.AddRange(standup, review);
        db.ChatMessages.AddRange(
            new ChatMessage { CallId = standup.Id, SentAt = Monday.AddMinutes(2), UserName = "publisher1", Nickname = "Al", Text = "hi" },
            new ChatMessage { CallId = standup.Id, SentAt = Monday.AddMinutes(3), UserName = "publisher1", Nickname = "Al", Text = "bye" },
            new ChatMessage { CallId = standup.Id, SentAt = Monday.AddMinutes(3), UserName = "moderator", Nickname = "Mo", Text = "ok" });
        await db.SaveChangesAsync(Ct);
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private static Participation Row(string connectionId, string userName, string nickname, string role, DateTime joined, DateTime? left, string? reason,
        bool isScreen = false, string? removedBy = null) =>
        new() { ConnectionId = connectionId, UserName = userName, Nickname = nickname, Role = role, JoinedAt = joined, LeftAt = left, LeftReason = reason, IsScreen = isScreen, RemovedBy = removedBy };

    private AttendanceReport Report() => new(app.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>());

    [Fact]
    public async Task A_calls_attendance_lists_each_person_as_joined_with_role_times_how_they_left_and_chat_but_no_screens()
    {
        var rows = await Report().ForCallAsync(standup.Id, Ct);

        Assert.Equal(["moderator", "publisher1", "subscriber"], rows.Select(r => r.UserName));
        Assert.Equal(["call ended by a moderator", "removed by moderator", "connection lost"], rows.Select(r => r.HowTheyLeft));
        Assert.Equal([1, 2, 0], rows.Select(r => r.ChatMessages));
        Assert.Equal(TimeSpan.FromSeconds(605), rows[1].Duration(DateTime.UtcNow));
        Assert.Empty(await Report().ForCallAsync(Guid.NewGuid(), Ct));
    }

    [Fact]
    public async Task A_range_of_days_covers_the_calls_that_started_in_it_for_one_user_or_everyone()
    {
        var mine = await Report().ForDaysAsync(new DateOnly(2026, 11, 23), new DateOnly(2026, 11, 24), "publisher1", Ct);
        var monday = await Report().ForDaysAsync(new DateOnly(2026, 11, 23), new DateOnly(2026, 11, 23), null, Ct);

        Assert.Equal([("Standup", "removed by moderator"), ("Review", "still in the call")], mine.Select(r => (r.SessionName, r.HowTheyLeft)));
        Assert.Equal(3, monday.Count);
        Assert.All(monday, r => Assert.Equal("Standup", r.SessionName));
    }

    [Fact]
    public async Task The_csv_has_a_header_quotes_what_needs_it_keeps_formulas_inert_and_counts_time_until_now_for_who_is_still_there()
    {
        var rows = await Report().ForDaysAsync(new DateOnly(2026, 11, 23), new DateOnly(2026, 11, 24), "publisher1", Ct);

        var csv = AttendanceReport.ToCsv(rows, now: Tuesday.AddHours(1).AddMinutes(2).AddSeconds(3));

        var lines = csv.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("\uFEFF", csv, StringComparison.Ordinal);
        Assert.Equal("Call,Call started (UTC),User,Nickname,Role,Joined (UTC),Left (UTC),Time in call,How they left,Chat messages", lines[0]);
        Assert.Equal("Standup,2026-11-23 09:00:00,publisher1,\"'=HYPERLINK(\"\"http://x\"\")\",PUBLISHER,2026-11-23 09:01:00,2026-11-23 09:11:05,0:10:05,removed by moderator,2", lines[1]);
        Assert.Equal("Review,2026-11-24 09:00:00,publisher1,Al,PUBLISHER,2026-11-24 09:00:00,,1:02:03,still in the call,0", lines[2]);
        Assert.Equal(3, lines.Length);
    }

    [Theory]
    [InlineData("admin", true)]
    [InlineData("moderator", true)]
    [InlineData("subscriber", true)]
    [InlineData("publisher2", false)]
    public async Task A_calls_csv_is_for_admins_and_for_the_people_who_were_in_it(string user, bool allowed)
    {
        var client = app.CreateBrowserLikeClient();
        await LoginFlow.SignInAsync(client, user);

        using var response = await client.GetAsync(new Uri(AttendanceEndpoints.CallUrl(standup.Id), UriKind.Relative), Ct);

        if (!allowed)
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            return;
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attendance-Standup-20261123-0900.csv", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
        var csv = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync(Ct));
        Assert.Contains("Standup,2026-11-23 09:00:00,subscriber,Sue,SUBSCRIBER,2026-11-23 09:03:00,2026-11-23 09:04:00,0:01:00,connection lost,0", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_range_csv_gives_a_user_only_their_own_rows_and_an_admin_anyones()
    {
        var user = app.CreateBrowserLikeClient();
        await LoginFlow.SignInAsync(user, "subscriber");
        var admin = app.CreateBrowserLikeClient();
        await LoginFlow.SignInAsync(admin, "admin");
        var days = AttendanceEndpoints.DaysUrl(new DateOnly(2026, 11, 23), new DateOnly(2026, 11, 24), null);

        var own = await user.GetStringAsync(new Uri(days, UriKind.Relative), Ct);
        using var someoneElses = await user.GetAsync(new Uri(AttendanceEndpoints.DaysUrl(new DateOnly(2026, 11, 23), new DateOnly(2026, 11, 24), "publisher1"), UriKind.Relative), Ct);
        var everyone = await admin.GetStringAsync(new Uri(days, UriKind.Relative), Ct);
        var publisher = await admin.GetStringAsync(new Uri(AttendanceEndpoints.DaysUrl(new DateOnly(2026, 11, 23), new DateOnly(2026, 11, 24), "publisher1"), UriKind.Relative), Ct);

        Assert.Equal(["subscriber"], UserNames(own));
        Assert.Equal(HttpStatusCode.Forbidden, someoneElses.StatusCode);
        Assert.Equal(["moderator", "publisher1", "subscriber", "publisher1"], UserNames(everyone));
        Assert.Equal(["publisher1", "publisher1"], UserNames(publisher));
    }

    [Theory]
    [InlineData("history/attendance.csv", "Give the first and last day")]
    [InlineData("history/attendance.csv?from=2026-11-24&to=2026-11-23", "The last day comes before the first.")]
    [InlineData("history/attendance.csv?from=2025-01-01&to=2026-11-23", "at most 366 days")]
    [InlineData("history/attendance.csv?from=23.11.2026&to=2026-11-23", "Give the first and last day")]
    public async Task A_bad_range_is_refused_with_what_to_give(string url, string message)
    {
        var client = app.CreateBrowserLikeClient();
        await LoginFlow.SignInAsync(client, "admin");

        using var response = await client.GetAsync(new Uri(url, UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Someone_not_signed_in_gets_no_csv()
    {
        var client = app.CreateBrowserLikeClient();

        using var response = await client.GetAsync(new Uri(AttendanceEndpoints.CallUrl(standup.Id), UriKind.Relative), Ct);

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("Standup", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    private static string[] UserNames(string csv) =>
        [.. csv.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Split(',')[2])];
}
