using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Directory;

/// <summary>Token minting rules and the directory's bookkeeping, with real Identity on SQLite and the app.Emulator.</summary>
public sealed class SessionDirectoryTests : IAsyncLifetime
{
    private EmulatedApp app = default!;

    private CallDirectory Directory => app.Services.GetRequiredService<CallDirectory>();

    private ConnectionIssuer Issuer => app.Services.GetRequiredService<ConnectionIssuer>();

    private DirectoryReconciler Reconciler => app.Services.GetRequiredService<DirectoryReconciler>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => app = await EmulatedApp.StartAsync();

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Theory]
    [InlineData("publisher1", "PUBLISHER")]
    [InlineData("subscriber", "SUBSCRIBER")]
    [InlineData("moderator", "MODERATOR")]
    [InlineData("admin", "MODERATOR")]
    public async Task The_token_carries_the_role_the_account_has(string user, string role)
    {
        var issued = await Issuer.IssueAsync("Roles", user, "Nick", ConnectionKind.Camera, Ct);

        Assert.Equal(role, issued.Role);
        var stored = app.Emulator.Controls.Snapshot().FindConnection(issued.ConnectionId);
        Assert.Equal(role, stored?.Role);
        Assert.Equal($"{{\"serverData\":\"{user}\",\"kind\":\"camera\",\"role\":\"{role}\",\"nickname\":\"Nick\"}}", MintMarker.Strip(stored?.ServerData));
        Assert.Equal(issued.Token, stored?.Token);
    }

    [Fact]
    public async Task LockedAccountIsRefusedAConnectionWithAClearMessage()
    {
        // Warm the role cache first: the lock must invalidate it, not wait for it to expire.
        await Issuer.IssueAsync("Locked", "publisher2", "Nick", ConnectionKind.Camera, Ct);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = (await users.FindByNameAsync("publisher2"))!;
            Assert.True((await users.SetLockoutEnabledAsync(user, true)).Succeeded);
            Assert.True((await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue)).Succeeded);
        }

        var refused = await Assert.ThrowsAsync<CallRefusedException>(() => Issuer.IssueAsync("Locked", "publisher2", "Nick", ConnectionKind.Camera, Ct));

        Assert.Contains("Your account is locked", refused.Message, StringComparison.Ordinal);
        Assert.Single(app.Emulator.Controls.Snapshot().FindSession("Locked")!.Connections);
    }

    [Fact]
    public async Task DeletedAccountIsRefusedAConnectionWithAClearMessage()
    {
        await Issuer.IssueAsync("Deleted", "subscriber", "Nick", ConnectionKind.Camera, Ct);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            Assert.True((await users.DeleteAsync((await users.FindByNameAsync("subscriber"))!)).Succeeded);
        }

        var refused = await Assert.ThrowsAsync<CallRefusedException>(() => Issuer.IssueAsync("Deleted", "subscriber", "Nick", ConnectionKind.Camera, Ct));

        Assert.Contains("no longer exists", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_role_change_applies_to_the_next_join()
    {
        var before = await Issuer.IssueAsync("Change", "publisher2", "Nick", ConnectionKind.Camera, Ct);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = (await users.FindByNameAsync("publisher2"))!;
            await users.RemoveFromRoleAsync(user, "PUBLISHER");
            await users.AddToRoleAsync(user, "SUBSCRIBER");
        }

        var after = await Issuer.IssueAsync("Change", "publisher2", "Nick", ConnectionKind.Camera, Ct);

        Assert.Equal("PUBLISHER", before.Role);
        Assert.Equal("SUBSCRIBER", after.Role);
    }

    [Fact]
    public async Task A_subscriber_cannot_get_a_screen_connection()
    {
        var refused = await Assert.ThrowsAsync<CallRefusedException>(() => Issuer.IssueAsync("Screens", "subscriber", "Nick", ConnectionKind.Screen, Ct));

        Assert.Contains("not share your screen", refused.Message, StringComparison.Ordinal);
        Assert.Empty(app.Emulator.Controls.Sessions);
    }

    [Fact]
    public async Task A_screen_connection_is_marked_as_a_screen()
    {
        var issued = await Issuer.IssueAsync("Screens", "publisher1", "Nick", ConnectionKind.Screen, Ct);

        Assert.Equal("{\"serverData\":\"publisher1\",\"kind\":\"screen\",\"role\":\"PUBLISHER\",\"nickname\":\"Nick\"}", MintMarker.Strip(app.Emulator.Controls.Snapshot().FindConnection(issued.ConnectionId)?.ServerData));
        Assert.Equal(ConnectionKind.Screen, Assert.Single(Directory.GetParticipants("Screens")).Kind);
    }

    [Fact]
    public async Task An_account_without_a_call_role_is_refused()
    {
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            Assert.True((await users.CreateAsync(new ApplicationUser { UserName = "norole" }, "No-role-pass1")).Succeeded);
        }

        var refused = await Assert.ThrowsAsync<CallRefusedException>(() => Issuer.IssueAsync("Any", "norole", "Nick", ConnectionKind.Camera, Ct));

        Assert.Contains("no call role", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    [InlineData("dots.are.out")]
    public async Task Bad_call_names_are_refused_before_OpenVidu_is_asked(string name)
    {
        await Assert.ThrowsAsync<CallRefusedException>(() => Issuer.IssueAsync(name, "publisher1", "Nick", ConnectionKind.Camera, Ct));

        Assert.Empty(app.Emulator.Controls.Sessions);
    }

    [Fact]
    public async Task Released_connections_are_gone_here_and_at_OpenVidu_and_subscribers_hear_of_it()
    {
        var issued = await Issuer.IssueAsync("Release", "publisher1", "Nick", ConnectionKind.Camera, Ct);
        var heard = new TaskCompletionSource<DirectoryChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = Directory.Subscribe("Release", change =>
        {
            heard.TrySetResult(change);
            return Task.CompletedTask;
        });

        await Issuer.ReleaseAsync("Release", issued.ConnectionId, Ct);

        Assert.Equal("Release", (await heard.Task.WaitAsync(TimeSpan.FromSeconds(5), Ct)).SessionName);
        Assert.Empty(Directory.GetParticipants("Release"));
        Assert.Null(app.Emulator.Controls.Snapshot().FindConnection(issued.ConnectionId));
        // Releasing again (the browser already left) is harmless.
        await Issuer.ReleaseAsync("Release", issued.ConnectionId, Ct);
    }

    [Fact]
    public async Task A_disposed_subscription_hears_nothing_more()
    {
        var calls = 0;
        var before = Directory.SubscriberCount;
        var subscription = Directory.Subscribe(null, _ =>
        {
            Interlocked.Increment(ref calls);
            return Task.CompletedTask;
        });
        subscription.Dispose();

        await Issuer.IssueAsync("Quiet", "publisher1", "Nick", ConnectionKind.Camera, Ct);

        Assert.Equal(0, calls);
        Assert.Equal(before, Directory.SubscriberCount);
    }

    [Fact]
    public async Task Reconciling_adopts_what_OpenVidu_has_and_drops_what_it_lost()
    {
        var client = app.Services.GetRequiredService<OpenViduServerSide.OpenVidu.OpenViduClient>();
        var stale = await Issuer.IssueAsync("Drift", "publisher1", "Alice", ConnectionKind.Camera, Ct);
        // Another app instance minted this one; this instance never heard of it.
        var foreign = await client.CreateConnectionInSessionAsync("Elsewhere",
            new OpenViduServerSide.OpenVidu.ConnectionProperties("MODERATOR", new ConnectionData("moderator", ConnectionKind.Camera, "", "MODERATOR").ToServerData()), cancellationToken: Ct);
        // OpenVidu lost this one (closed behind the app's back).
        await client.CloseSessionAsync("Drift", Ct);

        await Reconciler.ReconcileAsync(Ct);

        Assert.Empty(Directory.GetParticipants("Drift"));
        var adopted = Assert.Single(Directory.GetParticipants("Elsewhere"));
        Assert.Equal((foreign.Connection.Id, "moderator", "MODERATOR", false), (adopted.ConnectionId, adopted.UserName, adopted.Role, adopted.IsActive));
        Assert.NotEqual(stale.ConnectionId, adopted.ConnectionId);
    }
}
