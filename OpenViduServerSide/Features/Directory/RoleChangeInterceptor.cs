using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Accounts;

namespace OpenViduServerSide.Features.Directory;

/// <summary>
/// Keeps <see cref="UserCallRoles"/>' and <see cref="AccountStates"/>' caches honest: a save that adds or removes a
/// user's role, changes a role, renames or deletes a user, or changes a user's lockout or security stamp (lock, unlock,
/// password reset, the stamp updates of role changes) invalidates them before the save (reads in flight are discarded)
/// and again after it (reads that ran during the save are discarded too), and tells the other instances of the deployment
/// to do the same. Registered on
/// <see cref="ApplicationDbContext"/> by AddCalls.
/// </summary>
internal sealed class RoleChangeInterceptor(UserCallRoles roles, AccountStates accounts, IServiceProvider services) : SaveChangesInterceptor
{
    private static readonly object Marker = new();
    private readonly ConditionalWeakTable<DbContext, object> touched = [];

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Before(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Before(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        After(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        After(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => After(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        After(eventData.Context);
        return Task.CompletedTask;
    }

    private void Before(DbContext? context)
    {
        if (context is not null && TouchesRoles(context))
        {
            touched.AddOrUpdate(context, Marker);
            roles.InvalidateAll();
            accounts.InvalidateAll();
        }
    }

    private void After(DbContext? context)
    {
        if (context is not null && touched.Remove(context))
        {
            roles.InvalidateAll();
            accounts.InvalidateAll();
            // The other instances keep the same caches. (Resolved late: the replication needs the caches this needs.)
            services.GetRequiredService<DirectoryReplication>().AccountsChanged();
        }
    }

    private static bool TouchesRoles(DbContext context)
    {
        foreach (var entry in context.ChangeTracker.Entries())
        {
            var relevant = entry.Entity switch
            {
                IdentityUserRole<string> or IdentityRole => entry.State is EntityState.Added or EntityState.Deleted or EntityState.Modified,
                ApplicationUser => entry.State is EntityState.Deleted
                    || (entry.State is EntityState.Modified && (entry.Property(nameof(ApplicationUser.UserName)).IsModified
                        || entry.Property(nameof(ApplicationUser.LockoutEnd)).IsModified
                        || entry.Property(nameof(ApplicationUser.LockoutEnabled)).IsModified
                        || entry.Property(nameof(ApplicationUser.SecurityStamp)).IsModified)),
                _ => false,
            };
            if (relevant)
            {
                return true;
            }
        }

        return false;
    }
}
