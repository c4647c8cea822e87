using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Accounts;
using OpenViduServerSide.Features.Moderation;

namespace OpenViduServerSide.Features.Admin;

/// <summary>
/// Everything the users page does: list, create, set the OpenVidu role and the Admin flag, lock, unlock,
/// reset a password, delete; every change is audited in the same transaction. Each call runs in its own DI scope
/// (its own UserManager and DbContext), so a long-lived circuit never sees stale tracked users and two calls never
/// share a DbContext. The acting user must still be an Admin in the database: a demoted admin's open page can do nothing.
/// </summary>
// Over 300 lines: every admin action follows the same scope/re-check/transaction/audit shape, and keeping them side by
// side keeps that shape visible; each action is one short method.
public sealed partial class UserAdministration(IServiceScopeFactory scopes, CallModeration moderation, TimeProvider clock, ILogger<UserAdministration> logger)
{
    public const string LastAdminExplanation =
        "The last administrator who can sign in cannot be deleted, locked or demoted. Make another user an administrator first.";

    /// <summary>One page of users; nothing when <paramref name="actor"/> is no longer an unlocked Admin in the database.</summary>
    public async Task<UserList> GetUsersAsync(string actor, UserQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
        if (!await IsAdminAsync(db, actor, cancellationToken))
        {
            return new UserList([], 0);
        }

        var users = db.Users.AsNoTracking();
        if (query.Search?.Trim() is { Length: > 0 } search)
        {
            var normalized = search.ToUpperInvariant();
            users = users.Where(u => u.NormalizedUserName!.Contains(normalized));
        }

        var total = await users.CountAsync(cancellationToken);
        var page = await users.OrderBy(u => u.NormalizedUserName)
            .Skip(Math.Max(0, query.Page) * query.PageSize).Take(query.PageSize)
            .Select(u => new { u.Id, u.UserName, u.LockoutEnd })
            .ToListAsync(cancellationToken);
        var ids = page.Select(u => u.Id).ToList();
        var roles = await (from userRole in db.UserRoles
                           join role in db.Roles on userRole.RoleId equals role.Id
                           where ids.Contains(userRole.UserId)
                           select new { userRole.UserId, role.Name }).ToListAsync(cancellationToken);
        var admins = await AdminLockoutsAsync(db, cancellationToken);
        var usableAdmins = admins.Count(end => !IsLockedOut(end));

        var rows = page.Select(u =>
        {
            var held = roles.Where(r => r.UserId == u.Id).Select(r => r.Name).ToHashSet();
            var isAdmin = held.Contains(Roles.Admin);
            var lockedUntil = IsLockedOut(u.LockoutEnd) ? u.LockoutEnd : null;
            return new UserRow(u.UserName ?? "", Roles.OpenVidu.FirstOrDefault(held.Contains), isAdmin, lockedUntil,
                IsLastAdmin: isAdmin && lockedUntil is null && usableAdmins <= 1);
        }).ToList();
        return new UserList(rows, total);
    }

    /// <summary>The latest audit entries; nothing when <paramref name="actor"/> is no longer an unlocked Admin in the database.</summary>
    public async Task<IReadOnlyList<AuditEntryView>> GetRecentAuditAsync(string actor, int count, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
        if (!await IsAdminAsync(db, actor, cancellationToken))
        {
            return [];
        }
        return await db.AuditEntries.AsNoTracking().OrderByDescending(e => e.Id).Take(count)
            .Select(e => new AuditEntryView(e.At, e.Actor, e.Action, e.Target, e.Details))
            .ToListAsync(cancellationToken);
    }

    public async Task<AdminResult> CreateAsync(string actor, NewUser input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        await using var op = await BeginAsync(actor, cancellationToken);
        if (op.Refusal is { } refusal)
        {
            return refusal;
        }

        var userName = input.UserName.Trim();
        if (userName.Length == 0)
        {
            return Refuse(actor, AuditActions.CreateUser, userName, "Enter a user name.");
        }

        if (!Roles.OpenVidu.Contains(input.OpenViduRole))
        {
            return Refuse(actor, AuditActions.CreateUser, userName, $"Choose one of the OpenVidu roles {string.Join(", ", Roles.OpenVidu)}.");
        }

        var user = new ApplicationUser { UserName = userName };
        var created = await op.Users.CreateAsync(user, input.Password);
        if (!created.Succeeded)
        {
            return Refuse(actor, AuditActions.CreateUser, userName, $"User {userName} was not created.", created);
        }

        string[] roles = input.IsAdmin ? [input.OpenViduRole, Roles.Admin] : [input.OpenViduRole];
        Check(await op.Users.AddToRolesAsync(user, roles));
        return await op.CommitAsync(AuditActions.CreateUser, userName, $"role {input.OpenViduRole}{(input.IsAdmin ? ", Admin" : "")}",
            $"User {userName} created with the role {input.OpenViduRole}{(input.IsAdmin ? " and as an administrator" : "")}.");
    }

    /// <summary>Gives the user exactly this OpenVidu role (any other OpenVidu role is removed).</summary>
    public async Task<AdminResult> SetOpenViduRoleAsync(string actor, string userName, string role, CancellationToken cancellationToken = default)
    {
        await using var op = await BeginAsync(actor, cancellationToken);
        if (op.Refusal is { } refusal)
        {
            return refusal;
        }

        if (!Roles.OpenVidu.Contains(role))
        {
            return Refuse(actor, AuditActions.SetOpenViduRole, userName, $"Choose one of the OpenVidu roles {string.Join(", ", Roles.OpenVidu)}.");
        }

        if (await op.Users.FindByNameAsync(userName) is not { } user)
        {
            return Refuse(actor, AuditActions.SetOpenViduRole, userName, NoSuchUser(userName));
        }

        var held = await op.Users.GetRolesAsync(user);
        var previous = Roles.OpenVidu.Where(held.Contains).ToList();
        if (previous.SequenceEqual([role]))
        {
            return AdminResult.Ok($"{userName} already has the role {role}.");
        }

        if (previous.Count > 0)
        {
            Check(await op.Users.RemoveFromRolesAsync(user, previous));
        }

        Check(await op.Users.AddToRoleAsync(user, role));
        // No new security stamp: nothing authorizes by the OpenVidu role in a cookie or bearer token (every mint reads it
        // from the database, UserCallRoles), and a new stamp would sign the person's open call page out within seconds,
        // which is what switching the call below avoids. The cookie's role claims refresh at its next validation.
        var from = previous.Count == 0 ? "none" : string.Join(", ", previous);
        var result = await op.CommitAsync(AuditActions.SetOpenViduRole, userName, $"{from} → {role}", $"{userName} now has the role {role}.");
        if (result.Succeeded)
        {
            // Open calls switch to the new role through the person's page; a call no page of theirs can switch is left.
            await moderation.SwitchRoleEverywhereAsync(actor, userName, role, $"Your role changed to {role}. Join again to continue with it.", cancellationToken);
        }

        return result;
    }

    public async Task<AdminResult> SetAdminAsync(string actor, string userName, bool isAdmin, CancellationToken cancellationToken = default)
    {
        var action = isAdmin ? AuditActions.GrantAdmin : AuditActions.RevokeAdmin;
        await using var op = await BeginAsync(actor, cancellationToken);
        if (op.Refusal is { } refusal)
        {
            return refusal;
        }

        if (await op.Users.FindByNameAsync(userName) is not { } user)
        {
            return Refuse(actor, action, userName, NoSuchUser(userName));
        }

        if (await op.Users.IsInRoleAsync(user, Roles.Admin) == isAdmin)
        {
            return AdminResult.Ok(isAdmin ? $"{userName} is already an administrator." : $"{userName} is not an administrator.");
        }

        if (!isAdmin && await IsLastAdminAsync(op, user))
        {
            return Refuse(actor, action, userName, LastAdminRefusal(userName, "demoted"));
        }

        Check(isAdmin ? await op.Users.AddToRoleAsync(user, Roles.Admin) : await op.Users.RemoveFromRoleAsync(user, Roles.Admin));
        Check(await op.Users.UpdateSecurityStampAsync(user));
        return await op.CommitAsync(action, userName, null,
            isAdmin ? $"{userName} is now an administrator." : $"{userName} is no longer an administrator.");
    }

    /// <summary>Locks the account until an administrator unlocks it, and signs it out everywhere (new security stamp).</summary>
    public async Task<AdminResult> LockAsync(string actor, string userName, CancellationToken cancellationToken = default)
    {
        await using var op = await BeginAsync(actor, cancellationToken);
        if (op.Refusal is { } refusal)
        {
            return refusal;
        }

        if (await op.Users.FindByNameAsync(userName) is not { } user)
        {
            return Refuse(actor, AuditActions.Lock, userName, NoSuchUser(userName));
        }

        if (await IsLastAdminAsync(op, user))
        {
            return Refuse(actor, AuditActions.Lock, userName, LastAdminRefusal(userName, "locked"));
        }

        Check(await op.Users.SetLockoutEnabledAsync(user, true));
        Check(await op.Users.SetLockoutEndDateAsync(user, Lockouts.UntilUnlocked));
        Check(await op.Users.UpdateSecurityStampAsync(user));
        var result = await op.CommitAsync(AuditActions.Lock, userName, "until unlocked", $"{userName} is locked until unlocked.");
        await EvictFromCallsAsync(result, actor, userName, "Your account was locked.", cancellationToken);
        return result;
    }

    public async Task<AdminResult> UnlockAsync(string actor, string userName, CancellationToken cancellationToken = default)
    {
        await using var op = await BeginAsync(actor, cancellationToken);
        if (op.Refusal is { } refusal)
        {
            return refusal;
        }

        if (await op.Users.FindByNameAsync(userName) is not { } user)
        {
            return Refuse(actor, AuditActions.Unlock, userName, NoSuchUser(userName));
        }

        Check(await op.Users.SetLockoutEndDateAsync(user, null));
        Check(await op.Users.ResetAccessFailedCountAsync(user));
        return await op.CommitAsync(AuditActions.Unlock, userName, null, $"{userName} is unlocked.");
    }

    /// <summary>Sets a new password (the policy applies); the user's other sessions end (new security stamp).</summary>
    public async Task<AdminResult> ResetPasswordAsync(string actor, string userName, string newPassword, CancellationToken cancellationToken = default)
    {
        await using var op = await BeginAsync(actor, cancellationToken);
        if (op.Refusal is { } refusal)
        {
            return refusal;
        }

        if (await op.Users.FindByNameAsync(userName) is not { } user)
        {
            return Refuse(actor, AuditActions.ResetPassword, userName, NoSuchUser(userName));
        }

        var token = await op.Users.GeneratePasswordResetTokenAsync(user);
        var reset = await op.Users.ResetPasswordAsync(user, token, newPassword);
        if (!reset.Succeeded)
        {
            return Refuse(actor, AuditActions.ResetPassword, userName, $"The password of {userName} was not changed.", reset);
        }

        return await op.CommitAsync(AuditActions.ResetPassword, userName, null, $"The password of {userName} was changed.");
    }

    public async Task<AdminResult> DeleteAsync(string actor, string userName, CancellationToken cancellationToken = default)
    {
        await using var op = await BeginAsync(actor, cancellationToken);
        if (op.Refusal is { } refusal)
        {
            return refusal;
        }

        if (await op.Users.FindByNameAsync(userName) is not { } user)
        {
            return Refuse(actor, AuditActions.DeleteUser, userName, NoSuchUser(userName));
        }

        if (await IsLastAdminAsync(op, user))
        {
            return Refuse(actor, AuditActions.DeleteUser, userName, LastAdminRefusal(userName, "deleted"));
        }

        var roles = string.Join(", ", await op.Users.GetRolesAsync(user));
        Check(await op.Users.DeleteAsync(user));
        var result = await op.CommitAsync(AuditActions.DeleteUser, userName, roles.Length == 0 ? null : $"had {roles}", $"User {userName} deleted.");
        await EvictFromCallsAsync(result, actor, userName, "Your account was deleted.", cancellationToken);
        return result;
    }

    /// <summary>A locked or deleted account leaves the calls it is in at once (its tokens carry what it was).</summary>
    private async Task EvictFromCallsAsync(AdminResult result, string actor, string userName, string explanation, CancellationToken cancellationToken)
    {
        if (!result.Succeeded)
        {
            return;
        }

        await moderation.EvictEverywhereAsync(actor, userName, explanation, cancellationToken);
    }

    private async Task<Operation> BeginAsync(string actor, CancellationToken cancellationToken)
    {
        var scope = scopes.CreateAsyncScope();
        var op = new Operation(this, scope, actor, cancellationToken);
        var actorUser = await op.Users.FindByNameAsync(actor);
        if (actorUser is null || !await op.Users.IsInRoleAsync(actorUser, Roles.Admin) || IsLockedOut(actorUser.LockoutEnd))
        {
            LogNotAdmin(actor);
            op.Refusal = AdminResult.Fail("Only administrators can manage users. Your account is no longer an administrator; sign in again.");
            return op;
        }

        await op.BeginTransactionAsync();
        return op;
    }

    /// <summary>
    /// The reads re-check the actor as <see cref="BeginAsync"/> does for changes: the page's principal may be from before a
    /// demotion or lock, and the user list and audit log are Admin-only data.
    /// </summary>
    private async Task<bool> IsAdminAsync(ApplicationDbContext db, string actor, CancellationToken cancellationToken)
    {
        var normalized = actor.ToUpperInvariant();
        var lockouts = await (from userRole in db.UserRoles
                              join role in db.Roles on userRole.RoleId equals role.Id
                              join user in db.Users on userRole.UserId equals user.Id
                              where role.Name == Roles.Admin && user.NormalizedUserName == normalized
                              select user.LockoutEnd).ToListAsync(cancellationToken);
        if (lockouts.Count == 1 && !IsLockedOut(lockouts[0]))
        {
            return true;
        }

        LogNotAdmin(actor);
        return false;
    }

    /// <summary>An Admin who can sign in, and no other Admin can: removing them would leave nobody to administer.</summary>
    private async Task<bool> IsLastAdminAsync(Operation op, ApplicationUser user)
    {
        if (IsLockedOut(user.LockoutEnd) || !await op.Users.IsInRoleAsync(user, Roles.Admin))
        {
            return false;
        }

        var admins = await AdminLockoutsAsync(op.Db, op.CancellationToken);
        return admins.Count(end => !IsLockedOut(end)) <= 1;
    }

    private static Task<List<DateTimeOffset?>> AdminLockoutsAsync(ApplicationDbContext db, CancellationToken cancellationToken) =>
        (from userRole in db.UserRoles
         join role in db.Roles on userRole.RoleId equals role.Id
         join user in db.Users on userRole.UserId equals user.Id
         where role.Name == Roles.Admin
         select user.LockoutEnd).ToListAsync(cancellationToken);

    private DateTimeOffset Now => clock.GetUtcNow();

    private bool IsLockedOut(DateTimeOffset? end) => end is { } e && e > Now;

    private static string NoSuchUser(string userName) => $"There is no user named {userName}.";

    private static string LastAdminRefusal(string userName, string what) =>
        $"{userName} is the last administrator who can sign in and cannot be {what}. Make another user an administrator first.";

    private AdminResult Refuse(string actor, string action, string target, string message, IdentityResult? result = null)
    {
        var errors = result?.Errors.Select(e => e.Description).ToArray() ?? [];
        var full = errors.Length == 0 ? message : $"{message} {string.Join(" ", errors)}";
        LogRefused(actor, action, target, full);
        return AdminResult.Fail(full, errors);
    }

    /// <summary>Identity failures after the checks above are not expected (concurrency, database): they throw and roll back.</summary>
    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Admin {Actor} did {Action} on user {Target} ({Details})")]
    private partial void LogChanged(string actor, string action, string target, string? details);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Admin {Actor} was refused {Action} on user {Target}: {Reason}")]
    private partial void LogRefused(string actor, string action, string target, string reason);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "{Actor} tried to manage users without being an administrator")]
    private partial void LogNotAdmin(string actor);

    /// <summary>One admin action: its scope, its transaction, and the audit entry written with the change.</summary>
    private sealed class Operation(UserAdministration owner, AsyncServiceScope scope, string actor, CancellationToken cancellationToken) : IAsyncDisposable
    {
        private Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction? transaction;

        public UserManager<ApplicationUser> Users { get; } = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();

        public ApplicationDbContext Db { get; } = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();

        public CancellationToken CancellationToken => cancellationToken;

        public AdminResult? Refusal { get; set; }

        public async Task BeginTransactionAsync() => transaction = await Db.Database.BeginTransactionAsync(cancellationToken);

        public async Task<AdminResult> CommitAsync(string action, string target, string? details, string message)
        {
            Db.AuditEntries.Add(new AuditEntry
            {
                At = owner.Now.UtcDateTime,
                Actor = actor,
                Action = action,
                Target = target,
                Details = details,
            });
            await Db.SaveChangesAsync(cancellationToken);
            if (transaction is not null)
            {
                await transaction.CommitAsync(cancellationToken);
            }

            owner.LogChanged(actor, action, target, details);
            return AdminResult.Ok(message);
        }

        public async ValueTask DisposeAsync()
        {
            // Not committed means refused or failed: the transaction's dispose rolls everything back.
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }

            await scope.DisposeAsync();
        }
    }
}
