using System.Collections.Concurrent;
using Microsoft.AspNetCore.Identity;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Accounts;

namespace OpenViduServerSide.Features.Directory;

/// <summary>
/// Reads a user's OpenVidu role from Identity when a token is minted, so a role change applies to the next join, and
/// refuses accounts that are locked or gone: whatever credential the caller still holds (a cookie or bearer token from
/// before the lock, an open page), no new connection is minted for them.
/// <para>
/// Reads are cached for a few seconds, because every join would otherwise cost two SQLite queries. Correctness comes
/// from invalidation, not from the short lifetime: <see cref="RoleChangeInterceptor"/> calls <see cref="InvalidateAll"/>
/// around every EF Core save that touches user roles, roles, user names, lockouts or security stamps (UserManager, RoleManager, the admin pages),
/// and code that changes roles some other way calls <see cref="Invalidate"/>. Any invalidation bumps a generation;
/// a read is cached under the generation it started in and ignored once that moved on, so a lookup racing a role change
/// can never cache the old role. <see cref="MaxAge"/> only bounds changes this process cannot see (another instance,
/// a hand edit of the database, <c>ExecuteUpdate</c>).
/// </para>
/// </summary>
public sealed class UserCallRoles(IServiceScopeFactory scopes, TimeProvider clock)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Entry> cache = new(StringComparer.Ordinal);
    private long generation;

    /// <summary>The strongest OpenVidu role the user holds (MODERATOR, then PUBLISHER, then SUBSCRIBER), or null.</summary>
    /// <exception cref="CallRefusedException">The account is locked (by an administrator or after failed sign-ins) or was deleted.</exception>
    public async Task<string?> GetOpenViduRoleAsync(string userName, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var started = Volatile.Read(ref generation);
        var now = clock.GetTimestamp();
        if (!cache.TryGetValue(userName, out var entry) || entry.Generation != started || clock.GetElapsedTime(entry.ReadAt, now) >= MaxAge)
        {
            entry = await ReadAsync(userName, now, started);
            cache[userName] = entry;
        }

        if (!entry.Exists)
        {
            throw new CallRefusedException("Your account no longer exists. Ask an administrator if you think this is a mistake.");
        }

        // Compared at every join, not when cached: a timed lockout ends by itself.
        if (entry.LockoutEnd is { } end && end > clock.GetUtcNow())
        {
            throw new CallRefusedException("Your account is locked, so you cannot join calls. Ask an administrator to unlock it.");
        }

        return entry.Role;
    }

    /// <summary>The user's roles changed (or the user was renamed or deleted): the next join reads them again.</summary>
    public void Invalidate(string userName)
    {
        Interlocked.Increment(ref generation);
        cache.TryRemove(userName, out _);
    }

    /// <summary>Forget every cached role (role renamed or deleted, bulk changes).</summary>
    public void InvalidateAll()
    {
        Interlocked.Increment(ref generation);
        cache.Clear();
    }

    private async Task<Entry> ReadAsync(string userName, long now, long started)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        if (await users.FindByNameAsync(userName) is not { } user)
        {
            return new Entry(false, null, null, now, started);
        }

        var held = await users.GetRolesAsync(user);
        var lockoutEnd = users.SupportsUserLockout && user.LockoutEnabled ? user.LockoutEnd : null;
        return new Entry(true, Roles.OpenVidu.FirstOrDefault(held.Contains), lockoutEnd, now, started);
    }

    private readonly record struct Entry(bool Exists, string? Role, DateTimeOffset? LockoutEnd, long ReadAt, long Generation);
}
