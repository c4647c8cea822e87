using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Accounts;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Accounts;

public class SeedingTests
{
    private readonly TestDatabase kind;

    public SeedingTests()
        : this(TestDatabase.Sqlite)
    {
    }

    /// <summary>The same tests on another engine (<see cref="PostgreSqlSeedingTests"/>).</summary>
    protected SeedingTests(TestDatabase kind) => this.kind = kind;

    private AppFactory NewApp(IDictionary<string, string?>? settings = null) => new(settings: settings, database: kind);
    [Fact]
    public async Task Roles_and_demo_users_exist_in_demo_mode()
    {
        await using var app = NewApp();
        _ = app.Server;
        await using var scope = app.Services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();

        foreach (var role in new[] { "PUBLISHER", "SUBSCRIBER", "MODERATOR", "Admin" })
        {
            Assert.True(await roles.RoleExistsAsync(role), role);
        }

        Assert.Equal(["PUBLISHER"], await RolesOf(users, "publisher1"));
        Assert.Equal(["PUBLISHER"], await RolesOf(users, "publisher2"));
        Assert.Equal(["SUBSCRIBER"], await RolesOf(users, "subscriber"));
        Assert.Equal(["MODERATOR"], await RolesOf(users, "moderator"));
        Assert.Equal(["Admin", "MODERATOR"], await RolesOf(users, "admin"));
    }

    [Fact]
    public async Task Without_demo_mode_only_roles_exist_and_no_default_password_works()
    {
        await using var app = NewApp(new Dictionary<string, string?> { ["Seed:DemoUsers"] = "false" });
        var client = app.CreateBrowserLikeClient();
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();

        Assert.Empty(users.Users);
        Assert.True(await roles.RoleExistsAsync(Roles.Admin));
        using var login = await LoginFlow.PostLoginAsync(client, "admin", "pass");
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    [Fact]
    public async Task Configured_first_admin_is_created_with_the_policy_checked_password()
    {
        await using var app = NewApp(new Dictionary<string, string?>
        {
            ["Seed:DemoUsers"] = "false",
            ["Seed:AdminUserName"] = "boss",
            ["Seed:AdminPassword"] = "Corr3ct-Horse!",
        });
        var client = app.CreateBrowserLikeClient();

        await LoginFlow.SignInAsync(client, "boss", "Corr3ct-Horse!");

        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        Assert.Equal(["Admin", "MODERATOR"], await RolesOf(users, "boss"));
    }

    [Fact]
    public async Task Users_survive_a_restart_on_the_same_database_file()
    {
        await using var database = AppDatabase.Create(kind);
        await using (var first = new AppFactory(database))
        {
            _ = first.Server;
            await using var scope = first.Services.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var created = await users.CreateAsync(new ApplicationUser { UserName = "carol" }, "Carol-pass-1");
            Assert.True(created.Succeeded);
        }

        await using var second = new AppFactory(database);
        var client = second.CreateBrowserLikeClient();
        await LoginFlow.SignInAsync(client, "carol", "Carol-pass-1");
    }

    [Fact]
    public async Task DemoUsersOutsideDevelopmentStopTheAppUnlessExplicitlyAcknowledged()
    {
        await using var app = NewApp(new Dictionary<string, string?> { ["Seed:AllowDemoUsersOutsideDevelopment"] = "false" });

        var error = Assert.ThrowsAny<Exception>(() => app.Server);

        var messages = string.Join(" | ", Flatten(error).Select(e => e.Message));
        Assert.Contains("Seed:DemoUsers", messages, StringComparison.Ordinal);
        Assert.Contains("Seed:AllowDemoUsersOutsideDevelopment", messages, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TurningDemoModeOffLocksTheDemoAccountsThatStillHaveTheDemoPassword()
    {
        await using var database = AppDatabase.Create(kind);
        await using (var demo = new AppFactory(database))
        {
            _ = demo.Server;
            await using var scope = demo.Services.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var changed = await users.FindByNameAsync("publisher2");
            Assert.NotNull(changed);
            Assert.True((await users.ChangePasswordAsync(changed, "pass", "A-real-pass-2")).Succeeded);
        }

        await using var production = new AppFactory(database, new Dictionary<string, string?> { ["Seed:DemoUsers"] = "false" });
        var client = production.CreateBrowserLikeClient();

        using var refused = await LoginFlow.PostLoginAsync(client, "admin", "pass");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        await LoginFlow.SignInAsync(production.CreateBrowserLikeClient(), "publisher2", "A-real-pass-2");
        await using var check = production.Services.CreateAsyncScope();
        var after = check.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        foreach (var (userName, _) in IdentitySeeder.DemoUsers.Where(u => u.UserName != "publisher2"))
        {
            Assert.True(await after.IsLockedOutAsync((await after.FindByNameAsync(userName))!), userName);
        }

        Assert.False(await after.IsLockedOutAsync((await after.FindByNameAsync("publisher2"))!));
    }

    private static IEnumerable<Exception> Flatten(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }

    private static async Task<string[]> RolesOf(UserManager<ApplicationUser> users, string userName)
    {
        var user = await users.FindByNameAsync(userName);
        Assert.NotNull(user);
        return [.. (await users.GetRolesAsync(user)).Order(StringComparer.Ordinal)];
    }
}

public sealed class PostgreSqlSeedingTests() : SeedingTests(TestDatabase.PostgreSql);
