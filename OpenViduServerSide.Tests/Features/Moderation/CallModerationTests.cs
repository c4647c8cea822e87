using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenViduEmulator.Testing;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Features.Moderation;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Moderation;

/// <summary>Every moderation action against the emulator, with participants joined over the real JSON-RPC socket.</summary>
public sealed class CallModerationTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private EmulatedApp app = default!;

    private CallDirectory Directory => app.Get<CallDirectory>();

    private ConnectionIssuer Issuer => app.Get<ConnectionIssuer>();

    private DirectoryReconciler Reconciler => app.Get<DirectoryReconciler>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CallModeration Moderation => app.Get<CallModeration>();

    public async ValueTask InitializeAsync() => app = await EmulatedApp.StartAsync(new EmulatedAppOptions { Webhooks = true });

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private static ClaimsPrincipal User(string name, params string[] roles) => EmulatedApp.User(name, roles);

    private Task<(IssuedConnection Issued, OpenViduRpcClient Tab)> JoinAsync(string session, string user, string nickname, ConnectionKind kind = ConnectionKind.Camera) =>
        app.JoinOverRpcAsync(session, user, nickname, kind);

    [Fact]
    public async Task An_admin_removes_a_person_who_is_told_why_before_being_evicted_with_their_screen_share()
    {
        var (bob, bobTab) = await JoinAsync("Class", "publisher2", "Bob");
        var (bobScreen, _) = await JoinAsync("Class", "publisher2", "Bob", ConnectionKind.Screen);
        var (_, aliceTab) = await JoinAsync("Class", "publisher1", "Alice");

        var result = await Moderation.RemoveAsync(User("admin", "Admin", "MODERATOR"), "Class", bob.ConnectionId, "Too loud", Ct);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal("Bob (publisher2) was removed from the call.", result.Message);
        var told = await bobTab.WaitForNotificationAsync(n => n["method"]!.GetValue<string>() == "sendMessage", Wait, Ct);
        var evicted = await bobTab.WaitForNotificationAsync(n => n["method"]!.GetValue<string>() == "participantEvicted", Wait, Ct);
        Assert.Equal("signal:removed", told["params"]!["type"]!.GetValue<string>());
        Assert.Equal("""{"by":"an administrator (admin)","text":"Too loud"}""", told["params"]!["data"]!.GetValue<string>());
        Assert.True(bobTab.Notifications.ToList().IndexOf(told) < bobTab.Notifications.ToList().IndexOf(evicted));
        Assert.Equal("forceDisconnectByServer", evicted["params"]!["reason"]!.GetValue<string>());
        Assert.DoesNotContain(aliceTab.Notifications, n => n["method"]!.GetValue<string>() == "sendMessage");
        var snapshot = app.Emulator.Controls.Snapshot();
        Assert.Null(snapshot.FindConnection(bob.ConnectionId));
        Assert.Null(snapshot.FindConnection(bobScreen.ConnectionId));
        Assert.Equal(["publisher1"], Directory.GetParticipants("Class").Select(p => p.UserName));
        await using var db = await app.Get<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync(Ct);
        var audit = Assert.Single(await db.AuditEntries.Where(a => a.Action == "RemoveFromCall").ToListAsync(Ct));
        Assert.Equal(("admin", "publisher2", "call Class; reason: Too loud"), (audit.Actor, audit.Target, audit.Details));
    }

    [Fact]
    public async Task A_moderator_in_the_call_may_act_but_not_one_outside_it_nor_a_publisher()
    {
        var (_, _) = await JoinAsync("Class", "moderator", "Teacher");
        var (bob, _) = await JoinAsync("Class", "publisher2", "Bob");

        var outsider = await Moderation.RemoveAsync(User("other-moderator", "MODERATOR"), "Class", bob.ConnectionId, null, Ct);
        var publisher = await Moderation.EndCallAsync(User("publisher1", "PUBLISHER"), "Class", Ct);
        var teacher = await Moderation.RemoveAsync(User("moderator", "MODERATOR"), "Class", bob.ConnectionId, null, Ct);

        Assert.False(outsider.Succeeded);
        Assert.Equal("Only an administrator, or a moderator in this call, can do that.", outsider.Message);
        Assert.False(publisher.Succeeded);
        Assert.True(teacher.Succeeded, teacher.Message);
        Assert.Single(app.Emulator.Controls.Snapshot().FindSession("Class")!.Connections);
    }

    [Fact]
    public async Task A_moderator_in_the_call_lowers_a_raised_hand_a_publisher_cannot_and_it_is_audited()
    {
        var (_, _) = await JoinAsync("Class", "moderator", "Teacher");
        var (bob, _) = await JoinAsync("Class", "publisher2", "Bob");
        Assert.True(Directory.SetHand("Class", bob.ConnectionId, raised: true));

        var publisher = await Moderation.LowerHandAsync(User("publisher1", "PUBLISHER"), "Class", bob.ConnectionId, Ct);
        var stillUp = Directory.FindParticipant("Class", bob.ConnectionId)!.HandRaisedAt;
        var teacher = await Moderation.LowerHandAsync(User("moderator", "MODERATOR"), "Class", bob.ConnectionId, Ct);
        var again = await Moderation.LowerHandAsync(User("moderator", "MODERATOR"), "Class", bob.ConnectionId, Ct);

        Assert.False(publisher.Succeeded);
        Assert.NotNull(stillUp);
        Assert.True(teacher.Succeeded, teacher.Message);
        Assert.Equal("Bob's hand was lowered.", teacher.Message);
        Assert.Null(Directory.FindParticipant("Class", bob.ConnectionId)!.HandRaisedAt);
        Assert.Equal("That hand is already down.", again.Message);
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync(Ct);
        var audit = Assert.Single(await db.AuditEntries.Where(a => a.Action == AuditActions.LowerHand).ToListAsync(Ct));
        Assert.Equal(("moderator", "publisher2"), (audit.Actor, audit.Target));
    }

    [Fact]
    public async Task ModerationRechecksTheActorInTheDatabaseNotTheOpenPagesClaims()
    {
        var (_, _) = await JoinAsync("Recheck", "moderator", "Teacher");
        var (bob, _) = await JoinAsync("Recheck", "publisher2", "Bob");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var admin = scope.ServiceProvider.GetRequiredService<OpenViduServerSide.Features.Admin.UserAdministration>();
            Assert.True((await admin.CreateAsync("admin", new("admin2", "A-new-password-1", "MODERATOR", IsAdmin: true), Ct)).Succeeded);
            Assert.True((await admin.SetAdminAsync("admin", "admin2", false, Ct)).Succeeded);
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<ApplicationUser>>();
            // Locked directly (no eviction), so the moderator's MODERATOR connection stays in the directory.
            var moderator = (await users.FindByNameAsync("moderator"))!;
            Assert.True((await users.SetLockoutEndDateAsync(moderator, DateTimeOffset.MaxValue)).Succeeded);
        }

        // Open pages still carrying the Admin claim: demoted, never an admin, deleted; and the locked moderator in the call.
        Assert.False(await Moderation.CanModerateAsync(User("admin2", "Admin"), "Recheck", Ct));
        Assert.False((await Moderation.EndCallAsync(User("admin2", "Admin"), "Recheck", Ct)).Succeeded);
        Assert.False((await Moderation.RemoveAsync(User("publisher1", "Admin"), "Recheck", bob.ConnectionId, null, Ct)).Succeeded);
        Assert.False((await Moderation.AnnounceAsync(User("nobody", "Admin"), "Recheck", "hi", Ct)).Succeeded);
        Assert.False((await Moderation.StopStreamAsync(User("moderator", "MODERATOR"), "Recheck", bob.ConnectionId, Ct)).Succeeded);
        Assert.False(await Moderation.CanModerateAsync(User("moderator", "MODERATOR"), "Recheck", Ct));
        Assert.NotNull(Directory.FindParticipant("Recheck", bob.ConnectionId));
        Assert.True(await Moderation.CanModerateAsync(User("admin", "Admin"), "Recheck", Ct));
    }

    [Fact]
    public async Task A_removal_reason_longer_than_the_limit_is_refused_and_nobody_is_removed()
    {
        var (bob, _) = await JoinAsync("Class", "publisher2", "Bob");

        var result = await Moderation.RemoveAsync(User("admin", "Admin"), "Class", bob.ConnectionId, new string('x', CallModeration.MaxTextLength + 1), Ct);

        Assert.False(result.Succeeded);
        Assert.Equal($"Keep the reason to {CallModeration.MaxTextLength} characters.", result.Message);
        Assert.NotNull(app.Emulator.Controls.Snapshot().FindConnection(bob.ConnectionId));
    }

    [Fact]
    public async Task Removing_someone_who_already_left_says_so()
    {
        var (bob, bobTab) = await JoinAsync("Class", "publisher2", "Bob");
        await JoinAsync("Class", "publisher1", "Alice");
        await bobTab.LeaveAsync();
        await Issuer.ReleaseAsync("Class", bob.ConnectionId, Ct);

        var result = await Moderation.RemoveAsync(User("admin", "Admin"), "Class", bob.ConnectionId, null, Ct);

        Assert.False(result.Succeeded);
        Assert.Equal("That person has already left the call.", result.Message);
    }

    [Fact]
    public async Task Stopping_a_stream_unpublishes_it_for_everyone_and_tells_its_owner()
    {
        var (bob, bobTab) = await JoinAsync("Class", "publisher2", "Bob");
        var (_, aliceTab) = await JoinAsync("Class", "publisher1", "Alice");
        var streamId = await bobTab.PublishAsync(hasAudio: false);
        Directory.UpdateMedia("Class", bob.ConnectionId, streamId, true, true);

        var result = await Moderation.StopStreamAsync(User("admin", "Admin"), "Class", bob.ConnectionId, Ct);
        var again = await Moderation.StopStreamAsync(User("admin", "Admin"), "Class", bob.ConnectionId, Ct);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal("The camera of Bob was stopped.", result.Message);
        var told = await bobTab.WaitForNotificationAsync(n => n["method"]!.GetValue<string>() == "sendMessage", Wait, Ct);
        Assert.Equal("signal:streamStopped", told["params"]!["type"]!.GetValue<string>());
        var unpublished = await aliceTab.WaitForNotificationAsync(n => n["method"]!.GetValue<string>() == "participantUnpublished", Wait, Ct);
        Assert.Equal("forceUnpublishByServer", unpublished["params"]!["reason"]!.GetValue<string>());
        Assert.Empty(app.Emulator.Controls.Snapshot().FindConnection(bob.ConnectionId)!.Streams);
        // OpenVidu's webhooks about the stream (created, then destroyed) arrive in order; once the last is in, the directory agrees.
        await app.Emulator.Controls.WaitForAsync(s => s.WebhookDeliveries.Any(d => d.Event == "webrtcConnectionDestroyed" && d.StatusCode == 200), Wait, Ct);
        Assert.Null(Directory.FindParticipant("Class", bob.ConnectionId)!.StreamId);
        Assert.False(again.Succeeded);
    }

    [Fact]
    public async Task Ending_a_call_closes_it_for_everyone_and_a_second_time_says_it_had_ended()
    {
        var (_, aliceTab) = await JoinAsync("Class", "publisher1", "Alice");
        var (_, bobTab) = await JoinAsync("Class", "publisher2", "Bob");

        var ended = await Moderation.EndCallAsync(User("admin", "Admin"), "Class", Ct);
        var again = await Moderation.EndCallAsync(User("admin", "Admin"), "Class", Ct);

        Assert.True(ended.Succeeded, ended.Message);
        foreach (var tab in new[] { aliceTab, bobTab })
        {
            var told = await tab.WaitForNotificationAsync(n => n["method"]!.GetValue<string>() == "sendMessage", Wait, Ct);
            Assert.Equal("signal:callEnded", told["params"]!["type"]!.GetValue<string>());
            var evicted = await tab.WaitForNotificationAsync(n => n["method"]!.GetValue<string>() == "participantEvicted" && n["params"]!["connectionId"]!.GetValue<string>() == tab.ConnectionId, Wait, Ct);
            Assert.Equal("sessionClosedByServer", evicted["params"]!["reason"]!.GetValue<string>());
        }

        Assert.Empty(app.Emulator.Controls.Sessions);
        Assert.Empty(Directory.GetParticipants("Class"));
        Assert.False(again.Succeeded);
        Assert.Equal("Only an administrator, or a moderator in this call, can do that.", (await Moderation.EndCallAsync(User("moderator", "MODERATOR"), "Class", Ct)).Message);
        Assert.Equal("The call Class had already ended.", again.Message);
    }

    [Fact]
    public async Task A_message_reaches_everyone_and_an_empty_call_or_message_is_refused()
    {
        var (_, aliceTab) = await JoinAsync("Class", "publisher1", "Alice");
        var (_, bobTab) = await JoinAsync("Class", "subscriber", "Bob");

        var sent = await Moderation.AnnounceAsync(User("admin", "Admin"), "Class", "Break in 5 minutes", Ct);
        var blank = await Moderation.AnnounceAsync(User("admin", "Admin"), "Class", "   ", Ct);
        var nobody = await Moderation.AnnounceAsync(User("admin", "Admin"), "Empty", "Hello?", Ct);

        Assert.True(sent.Succeeded, sent.Message);
        foreach (var tab in new[] { aliceTab, bobTab })
        {
            var told = await tab.WaitForNotificationAsync(n => n["method"]!.GetValue<string>() == "sendMessage", Wait, Ct);
            Assert.Equal("signal:announcement", told["params"]!["type"]!.GetValue<string>());
            Assert.Equal("""{"by":"an administrator (admin)","text":"Break in 5 minutes"}""", told["params"]!["data"]!.GetValue<string>());
        }

        Assert.False(blank.Succeeded);
        Assert.False(nobody.Succeeded);
        Assert.Equal("Nobody is in that call now.", nobody.Message);
    }

    [Fact]
    public async Task OpenVidu_down_is_reported_not_thrown()
    {
        var (bob, _) = await JoinAsync("Class", "publisher2", "Bob");
        // Going down aborts Bob's socket, and its participantLeft webhook would race the removal ("already left").
        using var held = app.Emulator.Controls.HoldWebhooks();
        await app.Emulator.Controls.GoDownAsync(Ct);

        var result = await Moderation.RemoveAsync(User("admin", "Admin"), "Class", bob.ConnectionId, null, Ct);

        Assert.False(result.Succeeded);
        Assert.Contains("is not answering", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lock", "Your account was locked.")]
    // A role change switches a call where a page of theirs listens (PromoteToSpeakTests); these are API clients.
    [InlineData("role", "Your role changed to SUBSCRIBER. Join again to continue with it.")]
    public async Task An_account_changed_by_an_admin_leaves_the_calls_no_page_of_theirs_can_switch_at_once(string change, string explanation)
    {
        var (bob, bobTab) = await JoinAsync("Class", "publisher2", "Bob");
        await JoinAsync("Class", "publisher1", "Alice");
        await using var scope = app.Services.CreateAsyncScope();
        var admin = scope.ServiceProvider.GetRequiredService<OpenViduServerSide.Features.Admin.UserAdministration>();

        var result = change == "lock"
            ? await admin.LockAsync("admin", "publisher2", Ct)
            : await admin.SetOpenViduRoleAsync("admin", "publisher2", "SUBSCRIBER", Ct);

        Assert.True(result.Succeeded, result.Message);
        var told = await bobTab.WaitForNotificationAsync(n => n["method"]!.GetValue<string>() == "sendMessage", Wait, Ct);
        Assert.Equal($$"""{"by":"an administrator (admin)","text":"{{explanation}}"}""", told["params"]!["data"]!.GetValue<string>());
        await bobTab.WaitForNotificationAsync(n => n["method"]!.GetValue<string>() == "participantEvicted", Wait, Ct);
        Assert.Null(app.Emulator.Controls.Snapshot().FindConnection(bob.ConnectionId));
        Assert.Equal(["publisher1"], Directory.GetParticipants("Class").Select(p => p.UserName));
    }

    [Fact]
    public async Task AnAuditTableThatRefusesWritesDoesNotUndoNorFailTheAction()
    {
        var (_, bobTab) = await JoinAsync("Class", "publisher2", "Bob");
        await using (var db = await app.Get<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync(Ct))
        {
            await db.Database.ExecuteSqlRawAsync(
                "CREATE TRIGGER refuse_audit BEFORE INSERT ON AuditEntries BEGIN SELECT RAISE(ABORT, 'audit is read-only'); END;", Ct);
        }

        var message = await Moderation.AnnounceAsync(User("admin", "Admin"), "Class", "Break in 5", Ct);
        var ended = await Moderation.EndCallAsync(User("admin", "Admin"), "Class", Ct);

        Assert.True(message.Succeeded, message.Message);
        Assert.True(ended.Succeeded, ended.Message);
        Assert.Equal("The call Class was ended for everyone.", ended.Message);
        await bobTab.WaitForNotificationAsync(n => n["method"]!.GetValue<string>() == "participantEvicted", Wait, Ct);
        Assert.Null(app.Emulator.Controls.Snapshot().FindSession("Class"));
    }

    [Fact]
    public async Task AnEvictionThatOpenViduRefusesOnceStillForgetsEveryConnectionAndTriesTheRest()
    {
        var (camera, _) = await JoinAsync("Class", "moderator", "Teacher");
        var (screen, _) = await JoinAsync("Class", "moderator", "Teacher", ConnectionKind.Screen);
        await JoinAsync("Class", "publisher1", "Alice");
        var moderator = User("moderator", "MODERATOR");
        Assert.True(await Moderation.CanModerateAsync(moderator, "Class", Ct));
        // The signal and then the first delete fail.
        app.Emulator.Controls.FailNext(2, 500);

        await Moderation.EvictEverywhereAsync("admin", "moderator", "Your role changed.", Ct);

        Assert.False(await Moderation.CanModerateAsync(moderator, "Class", Ct));
        Assert.Equal(["publisher1"], Directory.GetParticipants("Class").Select(p => p.UserName));
        var snapshot = app.Emulator.Controls.Snapshot();
        // Which of the two was refused depends on the directory's order; the other one is gone at OpenVidu too.
        Assert.Single(new[] { camera.ConnectionId, screen.ConnectionId }, id => snapshot.FindConnection(id) is not null);
    }
}
