using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using OpenViduServerSide.Data;

namespace OpenViduServerSide.Features.Accounts;

/// <summary>What the security checks need to know about an account right now.</summary>
/// <param name="SecurityStamp">Changes on lock, password reset, role and admin-flag changes: older credentials stop working.</param>
public sealed record AccountState(string Id, string UserName, string? SecurityStamp, DateTimeOffset? LockoutEnd)
{
    public bool IsLockedOut(DateTimeOffset now) => LockoutEnd is { } end && end > now;
}

/// <summary>
/// The security stamp and lockout of each account, by user id, for the checks that run on every API request and every
/// few seconds per open page (bearer tokens, circuit revalidation). Without a cache each of those would be a SQLite query.
/// <para>
/// Correctness comes from invalidation, as in <see cref="Directory.UserCallRoles"/>: the EF Core interceptor
/// (<see cref="Directory.RoleChangeInterceptor"/>) calls <see cref="InvalidateAll"/> before and after every save that changes
/// a stamp, a lockout, a user name, a role or deletes a user, and a read that started before an invalidation is never
/// cached. <see cref="MaxAge"/> only bounds changes this process cannot see (another instance, a hand edit).
/// </para>
/// </summary>
public sealed class AccountStates(IServiceScopeFactory scopes, TimeProvider clock)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Entry> cache = new(StringComparer.Ordinal);
    private long generation;

    /// <summary>The account with this id, or null when it no longer exists.</summary>
    public async Task<AccountState?> GetAsync(string userId, CancellationToken cancellationToken = default)
    {
        var started = Volatile.Read(ref generation);
        var now = clock.GetTimestamp();
        if (cache.TryGetValue(userId, out var entry) && entry.Generation == started && clock.GetElapsedTime(entry.ReadAt, now) < MaxAge)
        {
            return entry.State;
        }

        var state = await ReadAsync(userId, cancellationToken);
        // A bounded cache: one entry per active user; a burst of unknown ids (forged tokens cannot get here, they fail
        // to unprotect) is dropped wholesale rather than tracked.
        if (cache.Count > 100_000)
        {
            cache.Clear();
        }

        cache[userId] = new Entry(state, now, started);
        return state;
    }

    /// <summary>
    /// True when <paramref name="stamp"/> is the account's current security stamp and the account is not locked: the
    /// credential carrying it (cookie, bearer token, open page) is still good.
    /// </summary>
    public async Task<bool> IsCurrentAsync(string? userId, string? stamp, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(userId) || await GetAsync(userId, cancellationToken) is not { } state)
        {
            return false;
        }

        return string.Equals(state.SecurityStamp, stamp, StringComparison.Ordinal) && !state.IsLockedOut(clock.GetUtcNow());
    }

    /// <summary>Accounts changed: the next check reads them again.</summary>
    public void InvalidateAll()
    {
        Interlocked.Increment(ref generation);
        cache.Clear();
    }

    private async Task<AccountState?> ReadAsync(string userId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
        return await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new AccountState(u.Id, u.UserName ?? "", u.SecurityStamp, u.LockoutEnd))
            .FirstOrDefaultAsync(cancellationToken);
    }

    private readonly record struct Entry(AccountState? State, long ReadAt, long Generation);
}
