using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenViduEmulator.Testing;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Admin;
using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Features.Moderation;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Moderation;

/// <summary>Promote to speak and role switches against the emulator, with participants joined over the real JSON-RPC socket.</summary>
public sealed class PromoteToSpeakTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private EmulatedApp app = default!;

    private CallDirectory Directory => app.Get<CallDirectory>();

    private ConnectionIssuer Issuer => app.Get<ConnectionIssuer>();

    private CallModeration Moderation => app.Get<CallModeration>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ClaimsPrincipal Moderator => User("moderator", "MODERATOR");

    public async ValueTask InitializeAsync() => app = await EmulatedApp.StartAsync();

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private static ClaimsPrincipal User(string name, params string[] roles) => EmulatedApp.User(name, roles);

    private Task<(IssuedConnection Issued, OpenViduRpcClient Tab)> JoinAsync(string session, string user, string nickname, ConnectionKind kind = ConnectionKind.Camera) =>
        app.JoinOverRpcAsync(session, user, nickname, kind);

    private async Task<List<AuditEntry>> AuditAsync(string action)
    {
        await using var db = await app.Get<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync(Ct);
        return await db.AuditEntries.Where(a => a.Action == action).ToListAsync(Ct);
    }

    [Fact]
    public async Task A_subscriber_let_speak_gets_PUBLISHER_tokens_in_that_call_only()
    {
        await JoinAsync("Class", "moderator", "Teacher");
        var (bob, _) = await JoinAsync("Class", "subscriber", "Bob");
        await JoinAsync("Other", "subscriber", "Bob");
        Assert.Equal("SUBSCRIBER", bob.Role);
        await Assert.ThrowsAsync<CallRefusedException>(() => Issuer.IssueAsync("Class", "subscriber", "Bob", ConnectionKind.Screen, Ct));

        var result = await Moderation.LetSpeakAsync(Moderator, "Class", bob.ConnectionId, Ct);
        var promoted = await Issuer.IssueAsync("Class", "subscriber", "Bob", ConnectionKind.Camera, Ct);
        var screen = await Issuer.IssueAsync("Class", "subscriber", "Bob", ConnectionKind.Screen, Ct);
        var elsewhere = await Issuer.IssueAsync("Other", "subscriber", "Bob", ConnectionKind.Camera, Ct);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal("PUBLISHER", promoted.Role);
        var snapshot = app.Emulator.Controls.Snapshot();
        var minted = snapshot.FindConnection(promoted.ConnectionId)!;
        Assert.Equal("PUBLISHER", minted.Role);
        Assert.Equal("""{"serverData":"subscriber","kind":"camera","role":"PUBLISHER","nickname":"Bob"}""", MintMarker.Strip(minted.ServerData));
        Assert.Equal("PUBLISHER", snapshot.FindConnection(screen.ConnectionId)!.Role);
        Assert.Equal("SUBSCRIBER", snapshot.FindConnection(elsewhere.ConnectionId)!.Role);
        Assert.Equal("PUBLISHER", Directory.FindParticipant("Class", promoted.ConnectionId)!.Role);
    }

    [Fact]
    public async Task A_publisher_cannot_let_anyone_speak_and_a_moderator_outside_the_call_neither()
    {
        await JoinAsync("Class", "publisher1", "Alice");
        var (bob, _) = await JoinAsync("Class", "subscriber", "Bob");

        var publisher = await Moderation.LetSpeakAsync(User("publisher1", "PUBLISHER"), "Class", bob.ConnectionId, Ct);
        var outsider = await Moderation.LetSpeakAsync(Moderator, "Class", bob.ConnectionId, Ct);

        Assert.False(publisher.Succeeded);
        Assert.Equal("Only an administrator, or a moderator in this call, can do that.", publisher.Message);
        Assert.False(outsider.Succeeded);
        Assert.False(Directory.MaySpeak("Class", "subscriber"));
        Assert.Equal("SUBSCRIBER", (await Issuer.IssueAsync("Class", "subscriber", "Bob", ConnectionKind.Camera, Ct)).Role);
        Assert.Empty(await AuditAsync(AuditActions.PromoteToSpeak));
    }

    [Fact]
    public async Task Letting_a_raised_hand_speak_lowers_it_tells_the_page_is_audited_and_taking_it_back_too()
    {
        await JoinAsync("Class", "moderator", "Teacher");
        var (alice, _) = await JoinAsync("Class", "publisher1", "Alice");
        var (bob, _) = await JoinAsync("Class", "subscriber", "Bob");
        Assert.True(Directory.SetHand("Class", bob.ConnectionId, raised: true));
        var heard = new List<RoleSwitch>();
        using var page = Directory.OnRoleSwitch("Class", "subscriber", s =>
        {
            heard.Add(s);
            return Task.CompletedTask;
        });

        var publisherAlready = await Moderation.LetSpeakAsync(Moderator, "Class", alice.ConnectionId, Ct);
        var letSpeak = await Moderation.LetSpeakAsync(Moderator, "Class", bob.ConnectionId, Ct);
        var twice = await Moderation.LetSpeakAsync(Moderator, "Class", bob.ConnectionId, Ct);
        Assert.Null(Directory.FindParticipant("Class", bob.ConnectionId)!.HandRaisedAt);
        var takeBack = await Moderation.TakeBackSpeakAsync(Moderator, "Class", bob.ConnectionId, Ct);
        var notGranted = await Moderation.TakeBackSpeakAsync(Moderator, "Class", alice.ConnectionId, Ct);

        Assert.False(publisherAlready.Succeeded);
        Assert.Equal("Alice can already speak (PUBLISHER).", publisherAlready.Message);
        Assert.True(letSpeak.Succeeded, letSpeak.Message);
        Assert.Equal("Bob may speak now: their camera and microphone come on.", letSpeak.Message);
        Assert.False(twice.Succeeded);
        Assert.True(takeBack.Succeeded, takeBack.Message);
        Assert.False(notGranted.Succeeded);
        Assert.Equal(
            [(RoleSwitchCause.LetSpeak, "a moderator (moderator)"), (RoleSwitchCause.SpeakTakenBack, "a moderator (moderator)")],
            heard.Select(s => (s.Cause, s.By)));
        Assert.False(Directory.MaySpeak("Class", "subscriber"));
        var promotion = Assert.Single(await AuditAsync(AuditActions.PromoteToSpeak));
        var takenBack = Assert.Single(await AuditAsync(AuditActions.TakeBackSpeak));
        Assert.Equal(("moderator", "subscriber", "call Class"), (promotion.Actor, promotion.Target, promotion.Details));
        Assert.Equal(("moderator", "subscriber"), (takenBack.Actor, takenBack.Target));
        // The page switched nothing here (it is a listener only): the SUBSCRIBER connection is still in the call.
        Assert.NotNull(app.Emulator.Controls.Snapshot().FindConnection(bob.ConnectionId));
    }

    [Fact]
    public async Task Taking_it_back_from_someone_no_page_can_switch_takes_their_PUBLISHER_connection_out()
    {
        await JoinAsync("Class", "moderator", "Teacher");
        var (bob, bobTab) = await JoinAsync("Class", "subscriber", "Bob");
        Assert.True((await Moderation.LetSpeakAsync(Moderator, "Class", bob.ConnectionId, Ct)).Succeeded);
        var (promoted, promotedTab) = await JoinAsync("Class", "subscriber", "Bob");
        Assert.Equal("PUBLISHER", promoted.Role);

        var result = await Moderation.TakeBackSpeakAsync(Moderator, "Class", promoted.ConnectionId, Ct);

        Assert.True(result.Succeeded, result.Message);
        var told = await promotedTab.WaitForNotificationAsync(n => n["method"]!.GetValue<string>() == "sendMessage", Wait, Ct);
        Assert.Equal("""{"by":"a moderator (moderator)","text":"Your turn to speak was taken back. Join again to watch."}""", told["params"]!["data"]!.GetValue<string>());
        await promotedTab.WaitForNotificationAsync(n => n["method"]!.GetValue<string>() == "participantEvicted", Wait, Ct);
        var snapshot = app.Emulator.Controls.Snapshot();
        Assert.Null(snapshot.FindConnection(promoted.ConnectionId));
        // The SUBSCRIBER connection had nothing the grant gave: it stays.
        Assert.NotNull(snapshot.FindConnection(bob.ConnectionId));
        Assert.DoesNotContain(bobTab.Notifications, n => n["method"]!.GetValue<string>() == "participantEvicted" && n["params"]!["connectionId"]!.GetValue<string>() == bob.ConnectionId);
    }

    [Fact]
    public async Task Ending_the_call_ends_the_grant()
    {
        await JoinAsync("Class", "moderator", "Teacher");
        var (bob, _) = await JoinAsync("Class", "subscriber", "Bob");
        Assert.True((await Moderation.LetSpeakAsync(Moderator, "Class", bob.ConnectionId, Ct)).Succeeded);

        Assert.True((await Moderation.EndCallAsync(Moderator, "Class", Ct)).Succeeded);

        Assert.False(Directory.MaySpeak("Class", "subscriber"));
        Assert.Equal("SUBSCRIBER", (await Issuer.IssueAsync("Class", "subscriber", "Bob", ConnectionKind.Camera, Ct)).Role);
    }

    [Fact]
    public async Task An_admins_role_change_switches_a_call_with_a_page_and_does_not_evict_it()
    {
        var (bob, bobTab) = await JoinAsync("Class", "publisher2", "Bob");
        var heard = new List<RoleSwitch>();
        using var page = Directory.OnRoleSwitch("Class", "publisher2", s =>
        {
            heard.Add(s);
            return Task.CompletedTask;
        });
        await using var scope = app.Services.CreateAsyncScope();

        var result = await scope.ServiceProvider.GetRequiredService<UserAdministration>().SetOpenViduRoleAsync("admin", "publisher2", "SUBSCRIBER", Ct);

        Assert.True(result.Succeeded, result.Message);
        var change = Assert.Single(heard);
        Assert.Equal((RoleSwitchCause.AccountRole, "an administrator (admin)", "SUBSCRIBER"), (change.Cause, change.By, change.Role));
        Assert.NotNull(app.Emulator.Controls.Snapshot().FindConnection(bob.ConnectionId));
        Assert.DoesNotContain(bobTab.Notifications, n => n["method"]!.GetValue<string>() is "participantEvicted" or "sendMessage");
        // What the page will mint now carries the new role.
        Assert.Equal("SUBSCRIBER", (await Issuer.IssueAsync("Class", "publisher2", "Bob", ConnectionKind.Camera, Ct)).Role);
    }
}
