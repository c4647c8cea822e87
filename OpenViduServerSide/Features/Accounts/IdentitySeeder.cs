using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OpenViduServerSide.Data;

namespace OpenViduServerSide.Features.Accounts;

/// <summary>Creates the roles, and the demo users or the configured first admin. Idempotent.</summary>
internal sealed partial class IdentitySeeder(
    RoleManager<IdentityRole> roleManager,
    UserManager<ApplicationUser> userManager,
    IOptions<SeedOptions> options,
    ILogger<IdentitySeeder> logger) : IDatabaseSeeder
{
    internal const string DemoPassword = "pass";

    internal static readonly IReadOnlyList<(string UserName, string[] Roles)> DemoUsers =
    [
        ("publisher1", [Roles.Publisher]),
        ("publisher2", [Roles.Publisher]),
        ("subscriber", [Roles.Subscriber]),
        ("moderator", [Roles.Moderator]),
        ("admin", [Roles.Admin, Roles.Moderator]),
    ];

    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        foreach (var role in Roles.All)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!await roleManager.RoleExistsAsync(role))
            {
                Check(await roleManager.CreateAsync(new IdentityRole(role)), $"create role {role}");
            }
        }

        var seed = options.Value;
        if (seed.DemoUsers)
        {
            foreach (var (userName, roles) in DemoUsers)
            {
                await EnsureUserAsync(userName, roles, DemoPassword, bypassPasswordPolicy: true);
            }

            LogDemoUsers();
        }
        else
        {
            await LockLeftoverDemoUsersAsync();
        }

        if (!string.IsNullOrWhiteSpace(seed.AdminUserName) && !string.IsNullOrEmpty(seed.AdminPassword))
        {
            await EnsureUserAsync(seed.AdminUserName, [Roles.Admin, Roles.Moderator], seed.AdminPassword, bypassPasswordPolicy: false);
        }
        else if ((await userManager.GetUsersInRoleAsync(Roles.Admin)).Count == 0)
        {
            LogNoAdmin();
        }
    }

    /// <summary>
    /// Demo mode turned off does not remove what it created: a demo account still on the password everyone knows is
    /// locked until an administrator unlocks it (after giving it a real password). Accounts whose password was changed stay.
    /// </summary>
    private async Task LockLeftoverDemoUsersAsync()
    {
        foreach (var (userName, _) in DemoUsers)
        {
            if (await userManager.FindByNameAsync(userName) is not { } user
                || Lockouts.IsUntilUnlocked(user.LockoutEnd)
                || !await userManager.CheckPasswordAsync(user, DemoPassword))
            {
                continue;
            }

            Check(await userManager.SetLockoutEnabledAsync(user, true), $"enable lockout for {userName}");
            Check(await userManager.SetLockoutEndDateAsync(user, Lockouts.UntilUnlocked), $"lock {userName}");
            // A new stamp ends the sessions it already has once they are revalidated.
            Check(await userManager.UpdateSecurityStampAsync(user), $"renew the security stamp of {userName}");
            LogDemoUserLocked(userName);
        }
    }

    private async Task EnsureUserAsync(string userName, string[] roles, string password, bool bypassPasswordPolicy)
    {
        if (await userManager.FindByNameAsync(userName) is not null)
        {
            return;
        }

        var user = new ApplicationUser { UserName = userName };
        if (bypassPasswordPolicy)
        {
            // The tutorial's "pass" is shorter than the policy allows; demo users are the one exception.
            user.PasswordHash = userManager.PasswordHasher.HashPassword(user, password);
            Check(await userManager.CreateAsync(user), $"create user {userName}");
        }
        else
        {
            Check(await userManager.CreateAsync(user, password), $"create user {userName}");
        }

        Check(await userManager.AddToRolesAsync(user, roles), $"add {userName} to roles");
        var roleList = string.Join(", ", roles);
        LogUserCreated(userName, roleList);
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(
                $"Seeding failed to {what}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
        }
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Seeded user {UserName} with roles {Roles}")]
    private partial void LogUserCreated(string userName, string roles);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Demo users are enabled (Seed:DemoUsers=true); every one of them has the password 'pass'")]
    private partial void LogDemoUsers();

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Locked demo user {UserName}: demo users are off (Seed:DemoUsers=false) and it still has the demo password. An admin can unlock it after resetting its password")]
    private partial void LogDemoUserLocked(string userName);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "No user has the Admin role. Set Seed:AdminUserName and Seed:AdminPassword (for example the environment variables Seed__AdminUserName and Seed__AdminPassword) and restart to create one")]
    private partial void LogNoAdmin();
}
