using Microsoft.Extensions.DependencyInjection;
using OpenViduEmulator.Testing;
using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Directory;

/// <summary>
/// A valid account cannot fill OpenVidu or the directory with connections it never uses: caps on unused ("pending")
/// connections per user and per call, a per-user minting budget, and an expiry that revokes them at OpenVidu too.
/// </summary>
public sealed class MintingLimitsTests : IAsyncLifetime
{
    private readonly ManualClock clock = new();
    private EmulatedApp app = default!;

    private CallDirectory Directory => app.Services.GetRequiredService<CallDirectory>();

    private ConnectionIssuer Issuer => app.Services.GetRequiredService<ConnectionIssuer>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => app = await EmulatedApp.StartAsync(new EmulatedAppOptions
    {
        Settings = new Dictionary<string, string?>
        {
            ["Calls:MaxPendingPerUser"] = "2",
            ["Calls:MaxPendingPerSession"] = "3",
            ["Calls:MintsPerUserPerMinute"] = "4",
            ["Calls:PendingLifetime"] = "00:02:00",
        },
        TestServices = s => s.AddSingleton<TimeProvider>(clock),
    });

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private Task<IssuedConnection> IssueAsync(string user, string session = "Limits") => Issuer.IssueAsync(session, user, "Nick", ConnectionKind.Camera, Ct);

    [Fact]
    public async Task A_user_cannot_hold_more_unused_connections_than_the_cap_and_a_used_one_frees_a_place()
    {
        var first = await IssueAsync("publisher1");
        await IssueAsync("publisher1", "Elsewhere");

        var refused = await Assert.ThrowsAsync<CallRefusedException>(() => IssueAsync("publisher1"));
        Assert.Contains("unused invitations", refused.Message, StringComparison.Ordinal);
        Assert.Equal(2, app.Emulator.Controls.Sessions.Sum(s => s.Connections.Count));

        Directory.MarkJoined("Limits", first.ConnectionId);
        await IssueAsync("publisher1");
    }

    [Fact]
    public async Task A_call_cannot_hold_more_unused_connections_than_its_cap()
    {
        await IssueAsync("publisher1");
        await IssueAsync("publisher2");
        await IssueAsync("moderator");

        var refused = await Assert.ThrowsAsync<CallRefusedException>(() => IssueAsync("subscriber"));

        Assert.Contains("Too many people are joining Limits", refused.Message, StringComparison.Ordinal);
        Assert.Equal(3, app.Emulator.Controls.Sessions.Single().Connections.Count);
    }

    [Fact]
    public async Task A_user_who_mints_too_often_waits_for_the_next_minute()
    {
        for (var i = 0; i < 4; i++)
        {
            var issued = await IssueAsync("publisher1");
            await Issuer.ReleaseAsync("Limits", issued.ConnectionId, Ct);
        }

        var refused = await Assert.ThrowsAsync<CallRefusedException>(() => IssueAsync("publisher1"));
        Assert.Contains("Try again in 60 seconds", refused.Message, StringComparison.Ordinal);
        // Someone else is not held back by it.
        await IssueAsync("publisher2");

        clock.Advance(TimeSpan.FromMinutes(1));
        await IssueAsync("publisher1");
    }

    [Fact]
    public async Task Unused_connections_expire_here_and_at_OpenVidu_and_used_ones_stay()
    {
        var unused = await IssueAsync("publisher1");
        var used = await IssueAsync("publisher2");
        await using var tab = await OpenViduRpcClient.JoinAsync(used.Token, OpenViduRpcClient.ClientData("Nick"), Ct);
        Directory.MarkJoined("Limits", used.ConnectionId);

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, await Issuer.ExpirePendingAsync(Ct));
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await Issuer.ExpirePendingAsync(Ct));

        Assert.Equal([used.ConnectionId], Directory.GetParticipants("Limits").Select(p => p.ConnectionId));
        Assert.Equal([used.ConnectionId], app.Emulator.Controls.Sessions.Single().Connections.Select(c => c.Id));
        Assert.Null(app.Emulator.Controls.Snapshot().FindConnection(unused.ConnectionId));
    }
}
