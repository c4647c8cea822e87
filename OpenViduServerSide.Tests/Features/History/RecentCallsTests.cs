using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.History;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.History;

/// <summary>"Your recent calls" on the home page, read from a real SQLite file.</summary>
public sealed class RecentCallsTests : MudTestContext, IAsyncLifetime
{
    // The list reads SQLite: a busy machine can take longer than bUnit's default second.
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly AppFactory app = new();
    private readonly Guid monday = Guid.NewGuid();
    private readonly Guid tuesday = Guid.NewGuid();

    public async ValueTask InitializeAsync()
    {
        _ = app.Server;
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken);
        var ended = new CallRecord { Id = monday, SessionName = "Monday", StartedAt = new DateTime(2026, 11, 23, 9, 0, 0, DateTimeKind.Utc), EndedAt = new DateTime(2026, 11, 23, 10, 0, 0, DateTimeKind.Utc) };
        var live = new CallRecord { Id = tuesday, SessionName = "Tuesday", StartedAt = new DateTime(2026, 11, 24, 9, 0, 0, DateTimeKind.Utc) };
        ended.Participations.Add(new Participation { ConnectionId = "con_1", UserName = "publisher1", Nickname = "Al", Role = "PUBLISHER", JoinedAt = ended.StartedAt, LeftAt = ended.EndedAt, LeftReason = "disconnect" });
        ended.Participations.Add(new Participation { ConnectionId = "con_2", UserName = "publisher1", Nickname = "Al", Role = "PUBLISHER", IsScreen = true, JoinedAt = ended.StartedAt });
        live.Participations.Add(new Participation { ConnectionId = "con_3", UserName = "publisher1", Nickname = "Al", Role = "MODERATOR", JoinedAt = live.StartedAt });
        db.Calls.AddRange(ended, live);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        Services.AddSingleton(app.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>());
        Services.AddScoped<CallHistoryQueries>();
        Services.AddSingleton(TimeProvider.System);
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await app.DisposeAsync();
    }

    [Fact]
    public void My_calls_are_listed_newest_first_without_screen_shares_and_a_live_one_can_be_joined_again()
    {
        var calls = Render<RecentCalls>(p => p.Add(c => c.UserName, "publisher1"));

        calls.WaitForElement("[data-testid=recent-calls]", Wait);
        var rows = calls.FindAll("[data-testid=recent-calls] tbody tr").Select(r => r.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToArray()).ToArray();
        Assert.Equal(2, rows.Length);
        Assert.Equal(["Tuesday", "2026-11-24 09:00 UTC", "still in it", "MODERATOR", "Join againAttendance"], rows[0]);
        Assert.Equal(["Monday", "2026-11-23 09:00 UTC", "2026-11-23 10:00 UTC", "PUBLISHER", "Attendance"], rows[1]);
        Assert.Equal("call/Tuesday", calls.Find("[data-testid=recent-calls] a").GetAttribute("href"));
        // Each call's attendance, and a range of days of one's own, download as files (not pages for the router).
        var attendance = calls.FindAll("[data-testid=call-attendance]");
        Assert.Equal(["history/calls/" + tuesday + "/attendance.csv", "history/calls/" + monday + "/attendance.csv"], attendance.Select(a => a.GetAttribute("href")));
        Assert.All(attendance, a => Assert.True(a.HasAttribute("download")));
        Assert.True(calls.Find("[data-testid=attendance-download]").HasAttribute("download"));
    }

    [Fact]
    public void Someone_with_no_calls_is_told_how_to_get_one()
    {
        var calls = Render<RecentCalls>(p => p.Add(c => c.UserName, "subscriber"));

        calls.WaitForElement("[data-testid=no-recent-calls]", Wait);
    }
}
