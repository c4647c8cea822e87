using Bunit;
using Microsoft.EntityFrameworkCore;
using OpenViduEmulator.Testing;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Calls;
using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Features.History;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.History;

/// <summary>The emulator posts real webhooks to the app on Kestrel; participants join over the real JSON-RPC socket.</summary>
public sealed class LiveDirectoryTests : IAsyncLifetime
{
    private EmulatedApp app = default!;

    private CallDirectory Directory => app.Get<CallDirectory>();

    private ConnectionIssuer Issuer => app.Get<ConnectionIssuer>();

    private DirectoryReconciler Reconciler => app.Get<DirectoryReconciler>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => app = await EmulatedApp.StartAsync(new EmulatedAppOptions { Webhooks = true });

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_tab_that_vanishes_leaves_every_open_page_within_a_second_of_the_webhook()
    {
        var alice = await Issuer.IssueAsync("Vanish", "publisher1", "Alice", ConnectionKind.Camera, Ct);
        var bob = await Issuer.IssueAsync("Vanish", "publisher2", "Bob", ConnectionKind.Camera, Ct);
        await using var aliceTab = await OpenViduRpcClient.JoinAsync(alice.Token, OpenViduRpcClient.ClientData("Alice"), Ct);
        await using var bobTab = await OpenViduRpcClient.JoinAsync(bob.Token, OpenViduRpcClient.ClientData("Bob"), Ct);
        await using var bunit = new MudTestContext();
        bunit.Services.AddFallbackServiceProvider(app.Services);
        var list = bunit.Render<ParticipantList>(p => p.Add(l => l.SessionName, "Vanish"));
        // The joins arrive as participantJoined webhooks: nobody here called MarkJoined.
        list.WaitForAssertion(() => Assert.Equal(2, list.FindAll("[data-testid=participant]").Count), TimeSpan.FromSeconds(5));

        Assert.True(app.Emulator.Controls.DropSocket(alice.ConnectionId));

        list.WaitForAssertion(() => Assert.Equal(["publisher2"], list.FindAll("[data-testid=participant]").Select(e => e.GetAttribute("data-username"))), TimeSpan.FromSeconds(1));
        await app.Get<CallHistoryWriter>().FlushAsync();
        await using var db = await app.Get<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync(Ct);
        Assert.Equal("networkDisconnect", (await db.Participations.SingleAsync(p => p.ConnectionId == alice.ConnectionId, Ct)).LeftReason);
    }

    /// <summary>
    /// Joins as the call page does: a token can die before it is used when the session closes in between (its last
    /// participant left; contract §1.6), answered 202 or 401; then a fresh token is minted and the join tried again.
    /// </summary>
    private async Task<(IssuedConnection, OpenViduRpcClient)> JoinWithRetriesAsync(string user, string nickname, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var issued = await Issuer.IssueAsync("Crowd", user, nickname, ConnectionKind.Camera, ct);
            try
            {
                return (issued, await OpenViduRpcClient.JoinAsync(issued.Token, OpenViduRpcClient.ClientData(nickname), ct));
            }
            catch (InvalidOperationException e) when (attempt < 5 && (e.Message.Contains("\"code\":202", StringComparison.Ordinal) || e.Message.Contains("\"code\":401", StringComparison.Ordinal)))
            {
                await Issuer.ReleaseAsync("Crowd", issued.ConnectionId, ct);
            }
        }
    }

    [Fact]
    public async Task Fifty_parallel_joins_and_leaves_on_one_session_leave_directory_and_history_consistent()
    {
        string[] users = ["publisher1", "publisher2", "moderator", "subscriber", "admin"];
        // A host stays throughout, as in a class: the session never closes under the crowd (that race has its own test).
        var host = await Issuer.IssueAsync("Crowd", "moderator", "Host", ConnectionKind.Camera, Ct);
        var hostTab = await OpenViduRpcClient.JoinAsync(host.Token, OpenViduRpcClient.ClientData("Host"), Ct);

        await Parallel.ForEachAsync(Enumerable.Range(0, 50), new ParallelOptions { MaxDegreeOfParallelism = 10, CancellationToken = Ct }, async (i, ct) =>
        {
            var (issued, tab) = await JoinWithRetriesAsync(users[i % users.Length], $"Guest{i}", ct);
            await using var _ = tab;
            Directory.MarkJoined("Crowd", issued.ConnectionId);
            await tab.LeaveAsync();
            await Issuer.ReleaseAsync("Crowd", issued.ConnectionId, ct);
        });
        var crowdGone = await app.Emulator.Controls.WaitForAsync(
            s => s.WebhookDeliveries.Count(d => d.Event == "participantLeft") == 50, TimeSpan.FromSeconds(20), Ct);
        var duringCall = Directory.GetParticipants("Crowd");
        await hostTab.LeaveAsync();
        await hostTab.DisposeAsync();
        var settled = await app.Emulator.Controls.WaitForAsync(s => s.Sessions.Count == 0 && s.WebhookDeliveries.Any(d => d.Event == "sessionDestroyed"), TimeSpan.FromSeconds(20), Ct);
        await app.Emulator.Controls.WaitForAsync(s => s.WebhookDeliveries.All(d => d.StatusCode is not null), TimeSpan.FromSeconds(20), Ct);
        await app.Get<CallHistoryWriter>().FlushAsync();

        Assert.All(app.Emulator.Controls.WebhookDeliveries, d => Assert.Equal(200, d.StatusCode));
        Assert.Equal(["Host"], duringCall.Select(p => p.Nickname));
        Assert.Single(crowdGone.Sessions);
        Assert.Empty(settled.Sessions);
        Assert.Empty(Directory.GetParticipants("Crowd"));
        Assert.Empty(Directory.SessionNamesInUse);
        await using var db = await app.Get<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync(Ct);
        var rows = await db.Participations.Include(p => p.Call).ToListAsync(Ct);
        Assert.Equal(51, rows.Count);
        Assert.Equal(51, rows.Select(p => p.ConnectionId).Distinct().Count());
        Assert.Single(await db.Calls.ToListAsync(Ct));
        Assert.All(rows, p =>
        {
            Assert.NotNull(p.LeftAt);
            Assert.True(p.LeftAt >= p.JoinedAt);
            Assert.Equal("Crowd", p.Call!.SessionName);
        });
        Assert.All(await db.Calls.ToListAsync(Ct), c => Assert.NotNull(c.EndedAt));
    }
}
