using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Accounts;
using OpenViduServerSide.Features.Admin;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Admin;

/// <summary>The service on the real app and a real SQLite file, with the demo users seeded (admin is the only Admin).</summary>
public class UserAdministrationTests : IAsyncLifetime
{
    private const string Actor = "admin";
    private const string GoodPassword = "Str0ng-Passw0rd!";

    private readonly AppFactory app;
    private AsyncServiceScope scope;

    public UserAdministrationTests()
        : this(TestDatabase.Sqlite)
    {
    }

    /// <summary>The same tests on another engine (<see cref="PostgreSqlUserAdministrationTests"/>).</summary>
    protected UserAdministrationTests(TestDatabase kind) => app = new AppFactory(database: kind);

    private UserAdministration Admin => scope.ServiceProvider.GetRequiredService<UserAdministration>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        scope = app.Services.CreateAsyncScope();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await scope.DisposeAsync();
        await app.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task TheUserListAndAuditLogAreOnlyReadForAnActorWhoIsStillAnAdmin()
    {
        Assert.True((await Admin.CreateAsync(Actor, new NewUser("admin2", GoodPassword, Roles.Moderator, IsAdmin: true), Ct)).Succeeded);
        Assert.NotEmpty((await Admin.GetUsersAsync("admin2", new UserQuery(null, 0, 10), Ct)).Users);
        Assert.NotEmpty(await Admin.GetRecentAuditAsync("admin2", 10, Ct));

        Assert.True((await Admin.SetAdminAsync(Actor, "admin2", false, Ct)).Succeeded);

        var users = await Admin.GetUsersAsync("admin2", new UserQuery(null, 0, 10), Ct);
        Assert.Empty(users.Users);
        Assert.Equal(0, users.Total);
        Assert.Empty(await Admin.GetRecentAuditAsync("admin2", 10, Ct));
        Assert.Empty((await Admin.GetUsersAsync("publisher1", new UserQuery(null, 0, 10), Ct)).Users);
        Assert.Empty((await Admin.GetUsersAsync("nobody", new UserQuery(null, 0, 10), Ct)).Users);
    }

    [Fact]
    public async Task Create_with_a_weak_password_is_refused_with_the_policy_message()
    {
        var result = await Admin.CreateAsync(Actor, new NewUser("carol", "short", Roles.Publisher, IsAdmin: false), Ct);

        Assert.False(result.Succeeded);
        Assert.Contains("Passwords must be at least 8 characters.", result.Errors);
        Assert.Contains("Passwords must have at least one digit ('0'-'9').", result.Errors);
        Assert.StartsWith("User carol was not created.", result.Message, StringComparison.Ordinal);
        Assert.Contains("Passwords must be at least 8 characters.", result.Message, StringComparison.Ordinal);
        Assert.Null(await FindAsync("carol"));
        Assert.Empty(await AuditAsync());
    }

    [Fact]
    public async Task Create_makes_a_user_with_one_OpenVidu_role_and_the_admin_flag()
    {
        var result = await Admin.CreateAsync(Actor, new NewUser("carol", GoodPassword, Roles.Subscriber, IsAdmin: true), Ct);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal([Roles.Admin, Roles.Subscriber], (await RolesOfAsync("carol")).Order(StringComparer.Ordinal));
        var client = app.CreateBrowserLikeClient();
        await LoginFlow.SignInAsync(client, "carol", GoodPassword);
    }

    [Fact]
    public async Task Setting_the_OpenVidu_role_swaps_it_and_keeps_exactly_one()
    {
        await using (var extra = app.Services.CreateAsyncScope())
        {
            // A user who somehow holds two OpenVidu roles ends up with exactly the one chosen.
            var users = extra.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var publisher = await users.FindByNameAsync("publisher1");
            await users.AddToRoleAsync(publisher!, Roles.Subscriber);
        }

        var stampBefore = (await FindAsync("publisher1"))!.SecurityStamp;

        var result = await Admin.SetOpenViduRoleAsync(Actor, "publisher1", Roles.Moderator, Ct);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal([Roles.Moderator], await RolesOfAsync("publisher1"));
        // Open pages stay signed in (their calls switch to the new role instead, PromoteToSpeakTests).
        Assert.Equal(stampBefore, (await FindAsync("publisher1"))!.SecurityStamp);
    }

    [Fact]
    public async Task Setting_an_unknown_role_is_refused()
    {
        var result = await Admin.SetOpenViduRoleAsync(Actor, "publisher1", "OWNER", Ct);

        Assert.False(result.Succeeded);
        Assert.Equal([Roles.Publisher], await RolesOfAsync("publisher1"));
    }

    [Fact]
    public async Task Last_admin_cannot_be_deleted_locked_or_demoted()
    {
        var delete = await Admin.DeleteAsync(Actor, "admin", Ct);
        var lockOut = await Admin.LockAsync(Actor, "admin", Ct);
        var demote = await Admin.SetAdminAsync(Actor, "admin", isAdmin: false, Ct);

        Assert.All([delete, lockOut, demote], r => Assert.False(r.Succeeded));
        Assert.Equal("admin is the last administrator who can sign in and cannot be deleted. Make another user an administrator first.", delete.Message);
        Assert.Contains("cannot be locked", lockOut.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be demoted", demote.Message, StringComparison.Ordinal);
        var admin = await FindAsync("admin");
        Assert.NotNull(admin);
        Assert.Null(admin.LockoutEnd);
        Assert.Contains(Roles.Admin, await RolesOfAsync("admin"));
        Assert.Empty(await AuditAsync());
    }

    [Fact]
    public async Task Admin_can_be_demoted_locked_and_deleted_once_a_second_admin_exists()
    {
        Assert.True((await Admin.CreateAsync(Actor, new NewUser("admin2", GoodPassword, Roles.Moderator, IsAdmin: true), Ct)).Succeeded);

        var demote = await Admin.SetAdminAsync("admin2", "admin", isAdmin: false, Ct);
        var promote = await Admin.SetAdminAsync("admin2", "admin", isAdmin: true, Ct);
        var lockOut = await Admin.LockAsync("admin2", "admin", Ct);
        var unlock = await Admin.UnlockAsync("admin2", "admin", Ct);
        var delete = await Admin.DeleteAsync("admin2", "admin", Ct);

        Assert.All([demote, promote, lockOut, unlock, delete], r => Assert.True(r.Succeeded, r.Message));
        Assert.Null(await FindAsync("admin"));
        // Now admin2 is the last one.
        Assert.False((await Admin.DeleteAsync("admin2", "admin2", Ct)).Succeeded);
    }

    [Fact]
    public async Task A_locked_admin_does_not_count_as_the_one_who_keeps_the_app_administered()
    {
        Assert.True((await Admin.CreateAsync(Actor, new NewUser("admin2", GoodPassword, Roles.Moderator, IsAdmin: true), Ct)).Succeeded);
        Assert.True((await Admin.LockAsync(Actor, "admin2", Ct)).Succeeded);

        var demote = await Admin.SetAdminAsync(Actor, "admin", isAdmin: false, Ct);

        Assert.False(demote.Succeeded);
        var rows = (await Admin.GetUsersAsync(Actor, new UserQuery("admin", 0, 10), Ct)).Users;
        Assert.True(rows.Single(r => r.UserName == "admin").IsLastAdmin);
        Assert.False(rows.Single(r => r.UserName == "admin2").IsLastAdmin);
    }

    [Fact]
    public async Task Lock_makes_password_sign_in_fail_as_locked_out()
    {
        var stampBefore = (await FindAsync("publisher1"))!.SecurityStamp;

        var result = await Admin.LockAsync(Actor, "publisher1", Ct);

        Assert.True(result.Succeeded, result.Message);
        Assert.NotEqual(stampBefore, (await FindAsync("publisher1"))!.SecurityStamp);
        await using var signInScope = app.Services.CreateAsyncScope();
        var signIn = signInScope.ServiceProvider.GetRequiredService<SignInManager<ApplicationUser>>();
        var attempt = await signIn.PasswordSignInAsync("publisher1", "pass", isPersistent: false, lockoutOnFailure: true);
        Assert.True(attempt.IsLockedOut);

        var client = app.CreateBrowserLikeClient();
        using var login = await LoginFlow.PostLoginAsync(client, "publisher1", "pass");
        var html = LoginFlow.Decode(await login.Content.ReadAsStringAsync(Ct));
        // Named only because the right password was given (SignInGuard).
        Assert.Contains(SignInGuard.LockedByAdministrator, html, StringComparison.Ordinal);
        var row = (await Admin.GetUsersAsync(Actor, new UserQuery("publisher1", 0, 10), Ct)).Users.Single();
        Assert.True(Lockouts.IsUntilUnlocked(row.LockedOutUntil));
    }

    [Fact]
    public async Task Unlock_lets_the_user_sign_in_again()
    {
        Assert.True((await Admin.LockAsync(Actor, "publisher1", Ct)).Succeeded);

        var result = await Admin.UnlockAsync(Actor, "publisher1", Ct);

        Assert.True(result.Succeeded, result.Message);
        await LoginFlow.SignInAsync(app.CreateBrowserLikeClient(), "publisher1");
        Assert.Null((await Admin.GetUsersAsync(Actor, new UserQuery("publisher1", 0, 10), Ct)).Users.Single().LockedOutUntil);
    }

    [Fact]
    public async Task Reset_password_lets_the_user_sign_in_with_the_new_one_only()
    {
        var result = await Admin.ResetPasswordAsync(Actor, "subscriber", GoodPassword, Ct);

        Assert.True(result.Succeeded, result.Message);
        await LoginFlow.SignInAsync(app.CreateBrowserLikeClient(), "subscriber", GoodPassword);
        using var old = await LoginFlow.PostLoginAsync(app.CreateBrowserLikeClient(), "subscriber", "pass");
        Assert.Equal(HttpStatusCode.OK, old.StatusCode);
    }

    [Fact]
    public async Task Reset_to_a_weak_password_is_refused_with_the_policy_message()
    {
        var result = await Admin.ResetPasswordAsync(Actor, "subscriber", "weak", Ct);

        Assert.False(result.Succeeded);
        Assert.Contains("Passwords must be at least 8 characters.", result.Errors);
        await LoginFlow.SignInAsync(app.CreateBrowserLikeClient(), "subscriber", "pass");
    }

    [Fact]
    public async Task Delete_removes_the_user()
    {
        var result = await Admin.DeleteAsync(Actor, "publisher2", Ct);

        Assert.True(result.Succeeded, result.Message);
        Assert.Null(await FindAsync("publisher2"));
        Assert.False((await Admin.DeleteAsync(Actor, "publisher2", Ct)).Succeeded);
    }

    [Fact]
    public async Task Every_change_writes_an_audit_entry_with_the_actor()
    {
        await Admin.CreateAsync(Actor, new NewUser("carol", GoodPassword, Roles.Publisher, IsAdmin: false), Ct);
        await Admin.SetOpenViduRoleAsync(Actor, "carol", Roles.Subscriber, Ct);
        await Admin.SetAdminAsync(Actor, "carol", isAdmin: true, Ct);
        await Admin.SetAdminAsync(Actor, "carol", isAdmin: false, Ct);
        await Admin.LockAsync(Actor, "carol", Ct);
        await Admin.UnlockAsync(Actor, "carol", Ct);
        await Admin.ResetPasswordAsync(Actor, "carol", GoodPassword + "2", Ct);
        await Admin.DeleteAsync(Actor, "carol", Ct);

        var entries = await AuditAsync();

        Assert.Equal(
            [AuditActions.CreateUser, AuditActions.SetOpenViduRole, AuditActions.GrantAdmin, AuditActions.RevokeAdmin,
             AuditActions.Lock, AuditActions.Unlock, AuditActions.ResetPassword, AuditActions.DeleteUser],
            entries.Select(e => e.Action));
        Assert.All(entries, e =>
        {
            Assert.Equal(Actor, e.Actor);
            Assert.Equal("carol", e.Target);
            Assert.Equal(DateTimeKind.Utc, e.At.Kind);
            Assert.InRange(e.At, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(1));
        });
        Assert.Equal("PUBLISHER → SUBSCRIBER", entries[1].Details);
        var recent = await Admin.GetRecentAuditAsync(Actor, 3, Ct);
        Assert.Equal([AuditActions.DeleteUser, AuditActions.ResetPassword, AuditActions.Unlock], recent.Select(e => e.Action));
    }

    [Fact]
    public async Task A_user_who_is_not_an_admin_cannot_change_anything()
    {
        var result = await Admin.DeleteAsync("moderator", "publisher1", Ct);
        var created = await Admin.CreateAsync("nobody", new NewUser("carol", GoodPassword, Roles.Publisher, IsAdmin: false), Ct);

        Assert.False(result.Succeeded);
        Assert.False(created.Succeeded);
        Assert.NotNull(await FindAsync("publisher1"));
        Assert.Null(await FindAsync("carol"));
        Assert.Empty(await AuditAsync());
    }

    [Fact]
    public async Task Users_are_searched_by_part_of_the_name_and_paged()
    {
        var found = await Admin.GetUsersAsync(Actor, new UserQuery("PUB", 0, 10), Ct);
        var secondPage = await Admin.GetUsersAsync(Actor, new UserQuery(null, 1, 2), Ct);

        Assert.Equal(["publisher1", "publisher2"], found.Users.Select(u => u.UserName));
        Assert.Equal(2, found.Total);
        Assert.Equal(["publisher1", "publisher2"], secondPage.Users.Select(u => u.UserName));
        Assert.Equal(5, secondPage.Total);
        var admin = (await Admin.GetUsersAsync(Actor, new UserQuery("admin", 0, 10), Ct)).Users.Single();
        Assert.Equal(new UserRow("admin", Roles.Moderator, IsAdmin: true, LockedOutUntil: null, IsLastAdmin: true), admin);
    }

    private async Task<ApplicationUser?> FindAsync(string userName)
    {
        await using var s = app.Services.CreateAsyncScope();
        return await s.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByNameAsync(userName);
    }

    private async Task<IList<string>> RolesOfAsync(string userName)
    {
        await using var s = app.Services.CreateAsyncScope();
        var users = s.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        return await users.GetRolesAsync((await users.FindByNameAsync(userName))!);
    }

    private async Task<List<AuditEntry>> AuditAsync()
    {
        await using var s = app.Services.CreateAsyncScope();
        return await s.ServiceProvider.GetRequiredService<ApplicationDbContext>().AuditEntries.OrderBy(e => e.Id).ToListAsync(Ct);
    }
}

public sealed class PostgreSqlUserAdministrationTests() : UserAdministrationTests(TestDatabase.PostgreSql);
