using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace OpenViduServerSide.Data;

public sealed class ApplicationDbContext(DbContextOptions<ApplicationDbContext> options)
    : IdentityDbContext<ApplicationUser>(options)
{
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<AuditEntry>(entry =>
        {
            entry.Property(e => e.Actor).HasMaxLength(AuditEntry.NameMaxLength);
            entry.Property(e => e.Action).HasMaxLength(AuditEntry.ActionMaxLength);
            entry.Property(e => e.Target).HasMaxLength(AuditEntry.NameMaxLength);
            entry.Property(e => e.Details).HasMaxLength(AuditEntry.DetailsMaxLength);
            // At is stored as UTC; read it back as UTC too (SQLite keeps no kind).
            entry.Property(e => e.At).HasConversion(v => v, v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
            entry.HasIndex(e => e.At);
        });
    }
}
