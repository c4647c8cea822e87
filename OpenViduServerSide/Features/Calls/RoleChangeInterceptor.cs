using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using OpenViduServerSide.Data;

namespace OpenViduServerSide.Features.Calls;

/// <summary>
/// Keeps <see cref="UserCallRoles"/>' cache honest: a save that adds or removes a user's role, changes a role, or
/// renames or deletes a user invalidates it before the save (reads in flight are discarded) and again after it
/// (reads that ran during the save are discarded too). Registered on <see cref="ApplicationDbContext"/> by AddCalls.
/// </summary>
internal sealed class RoleChangeInterceptor(UserCallRoles roles) : SaveChangesInterceptor
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
        }
    }

    private void After(DbContext? context)
    {
        if (context is not null && touched.Remove(context))
        {
            roles.InvalidateAll();
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
                    || (entry.State is EntityState.Modified && entry.Property(nameof(ApplicationUser.UserName)).IsModified),
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
