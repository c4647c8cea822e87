using System.Collections.Concurrent;
using Microsoft.AspNetCore.Identity;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Accounts;

namespace OpenViduServerSide.Features.Calls;

/// <summary>
/// Reads a user's OpenVidu role from Identity when a token is minted, so a role change applies to the next join.
/// <para>
/// Reads are cached for a few seconds, because every join would otherwise cost two SQLite queries. Correctness comes
/// from invalidation, not from the short lifetime: <see cref="RoleChangeInterceptor"/> calls <see cref="InvalidateAll"/>
/// around every EF Core save that touches user roles, roles or user names (UserManager, RoleManager, the admin pages),
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
    public async Task<string?> GetOpenViduRoleAsync(string userName, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var started = Volatile.Read(ref generation);
        var now = clock.GetTimestamp();
        if (cache.TryGetValue(userName, out var entry) && entry.Generation == started && clock.GetElapsedTime(entry.ReadAt, now) < MaxAge)
        {
            return entry.Role;
        }

        var role = await ReadAsync(userName);
        cache[userName] = new Entry(role, now, started);
        return role;
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

    private async Task<string?> ReadAsync(string userName)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        if (await users.FindByNameAsync(userName) is not { } user)
        {
            return null;
        }

        var held = await users.GetRolesAsync(user);
        return Roles.OpenVidu.FirstOrDefault(held.Contains);
    }

    private readonly record struct Entry(string? Role, long ReadAt, long Generation);
}
