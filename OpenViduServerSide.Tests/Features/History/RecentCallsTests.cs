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
    private readonly AppFactory app = new();

    public async ValueTask InitializeAsync()
    {
        _ = app.Server;
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken);
        var ended = new CallRecord { Id = Guid.NewGuid(), SessionName = "Monday", StartedAt = new DateTime(2026, 11, 23, 9, 0, 0, DateTimeKind.Utc), EndedAt = new DateTime(2026, 11, 23, 10, 0, 0, DateTimeKind.Utc) };
        var live = new CallRecord { Id = Guid.NewGuid(), SessionName = "Tuesday", StartedAt = new DateTime(2026, 11, 24, 9, 0, 0, DateTimeKind.Utc) };
        ended.Participations.Add(new Participation { ConnectionId = "con_1", UserName = "publisher1", Nickname = "Al", Role = "PUBLISHER", JoinedAt = ended.StartedAt, LeftAt = ended.EndedAt, LeftReason = "disconnect" });
        ended.Participations.Add(new Participation { ConnectionId = "con_2", UserName = "publisher1", Nickname = "Al", Role = "PUBLISHER", IsScreen = true, JoinedAt = ended.StartedAt });
        live.Participations.Add(new Participation { ConnectionId = "con_3", UserName = "publisher1", Nickname = "Al", Role = "MODERATOR", JoinedAt = live.StartedAt });
        db.Calls.AddRange(ended, live);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        Services.AddSingleton(app.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>());
        Services.AddScoped<CallHistoryQueries>();
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

        calls.WaitForElement("[data-testid=recent-calls]");
        var rows = calls.FindAll("[data-testid=recent-calls] tbody tr").Select(r => r.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToArray()).ToArray();
        Assert.Equal(2, rows.Length);
        Assert.Equal(["Tuesday", "2026-11-24 09:00 UTC", "still in it", "MODERATOR", "Join again"], rows[0]);
        Assert.Equal(["Monday", "2026-11-23 09:00 UTC", "2026-11-23 10:00 UTC", "PUBLISHER", ""], rows[1]);
        Assert.Equal("call/Tuesday", calls.Find("[data-testid=recent-calls] a").GetAttribute("href"));
    }

    [Fact]
    public void Someone_with_no_calls_is_told_how_to_get_one()
    {
        var calls = Render<RecentCalls>(p => p.Add(c => c.UserName, "subscriber"));

        calls.WaitForElement("[data-testid=no-recent-calls]");
    }
}
