using Microsoft.EntityFrameworkCore;
using OpenViduEmulator.Testing;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Features.History;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Directory;

/// <summary>
/// A call is one lifetime of an OpenVidu session, not its name. The emulator posts real webhooks to the app on Kestrel
/// (held back here, as OpenVidu's single sender thread does under load) and people join over the real JSON-RPC socket.
/// </summary>
public sealed class CallIdentityTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private EmulatedApp app = default!;

    private CallDirectory Directory => app.Get<CallDirectory>();

    private ConnectionIssuer Issuer => app.Get<ConnectionIssuer>();

    private DirectoryReconciler Reconciler => app.Get<DirectoryReconciler>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => app = await EmulatedApp.StartAsync(new EmulatedAppOptions { Webhooks = true });

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task The_late_sessionDestroyed_of_a_call_leaves_the_call_reopened_under_its_name_alone()
    {
        OpenViduRpcClient bobTab;
        IssuedConnection alice, bob;
        using (app.Emulator.Controls.HoldWebhooks())
        {
            // The last person leaves: OpenVidu closes the session at once; its webhooks are still queued.
            alice = await Issuer.IssueAsync("Standup", "publisher1", "Alice", ConnectionKind.Camera, Ct);
            await using (var aliceTab = await OpenViduRpcClient.JoinAsync(alice.Token, OpenViduRpcClient.ClientData("Alice"), Ct))
            {
                Directory.MarkJoined("Standup", alice.ConnectionId);
                await aliceTab.LeaveAsync();
            }

            await Issuer.ReleaseAsync("Standup", alice.ConnectionId, Ct);
            await app.Emulator.Controls.WaitForAsync(s => s.Sessions.Count == 0, Patience, Ct);

            // Someone joins the same name: a new session at OpenVidu.
            bob = await Issuer.IssueAsync("Standup", "publisher2", "Bob", ConnectionKind.Camera, Ct);
            bobTab = await OpenViduRpcClient.JoinAsync(bob.Token, OpenViduRpcClient.ClientData("Bob"), Ct);
            Directory.MarkJoined("Standup", bob.ConnectionId);
        }

        await using (bobTab)
        {
            // Now the old call's participantJoined, participantLeft and sessionDestroyed land, then the new call's.
            await app.Emulator.Controls.WaitForAsync(
                s => s.WebhookDeliveries.Count(d => d.Event == "participantJoined") == 2 && s.WebhookDeliveries.All(d => d.StatusCode == 200),
                Patience, Ct);

            var present = Assert.Single(Directory.GetParticipants("Standup"));
            Assert.Equal((bob.ConnectionId, "publisher2", true), (present.ConnectionId, present.UserName, present.IsActive));
            await app.Get<CallHistoryWriter>().FlushAsync();
            await using var db = await app.Get<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync(Ct);
            var calls = await db.Calls.Include(c => c.Participations).OrderBy(c => c.StartedAt).ToListAsync(Ct);
            Assert.Equal(2, calls.Count);
            Assert.Equal(alice.ConnectionId, Assert.Single(calls[0].Participations).ConnectionId);
            Assert.NotNull(calls[0].EndedAt);
            Assert.Equal(bob.ConnectionId, Assert.Single(calls[1].Participations).ConnectionId);
            Assert.Null(calls[1].EndedAt);
            Assert.Null(calls[1].Participations[0].LeftAt);
        }
    }

    [Fact]
    public async Task Reconciliation_does_not_bring_back_someone_who_left_while_it_ran()
    {
        var carol = await Issuer.IssueAsync("Refresh", "publisher1", "Carol", ConnectionKind.Camera, Ct);
        var dave = await Issuer.IssueAsync("Refresh", "publisher2", "Dave", ConnectionKind.Camera, Ct);
        await using var carolTab = await OpenViduRpcClient.JoinAsync(carol.Token, OpenViduRpcClient.ClientData("Carol"), Ct);
        await using var daveTab = await OpenViduRpcClient.JoinAsync(dave.Token, OpenViduRpcClient.ClientData("Dave"), Ct);
        await Directory.UntilAsync(d => d.GetParticipants("Refresh").Count(p => p.IsActive) == 2, Patience);

        // OpenVidu's answer is on its way while Carol's page says she left (OpenVidu hears of it a moment later).
        app.Emulator.Controls.Latency = TimeSpan.FromMilliseconds(300);
        var reconciling = Reconciler.ReconcileAsync(Ct);
        Directory.Forget("Refresh", carol.ConnectionId, "disconnect");
        await reconciling;

        Assert.Equal([dave.ConnectionId], Directory.GetParticipants("Refresh").Select(p => p.ConnectionId));
    }
}
