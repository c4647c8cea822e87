using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace OpenViduServerSide.Data;

/// <summary>
/// The app's one model. On SQLite this type carries the migrations (in <c>Migrations/</c>); on PostgreSQL
/// <see cref="PostgreSqlDbContext"/> does (in <c>Migrations/PostgreSql/</c>) and is what the app gets for this type.
/// </summary>
public class ApplicationDbContext : IdentityDbContext<ApplicationUser>, IDataProtectionKeyContext
{
    public ApplicationDbContext(DbContextOptions<ApplicationDbContext> options)
        : base(options)
    {
    }

    /// <summary>For a provider's context: EF Core finds its migrations by the derived type.</summary>
    protected ApplicationDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<CallRecord> Calls => Set<CallRecord>();

    public DbSet<Participation> Participations => Set<Participation>();

    public DbSet<ChatMessage> ChatMessages => Set<ChatMessage>();

    public DbSet<RecordingEntry> Recordings => Set<RecordingEntry>();

    /// <summary>The keys that protect cookies, bearer tokens and circuits, shared by every instance on this database.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        // Every DateTime the app stores is UTC; SQLite keeps no kind, so say so when reading back. PostgreSQL's timestamptz
        // accepts only UTC, so a local time is converted on the way in.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        base.OnModelCreating(builder);

        builder.Entity<AuditEntry>(entry =>
        {
            entry.Property(e => e.Actor).HasMaxLength(AuditEntry.NameMaxLength);
            entry.Property(e => e.Action).HasMaxLength(AuditEntry.ActionMaxLength);
            entry.Property(e => e.Target).HasMaxLength(AuditEntry.NameMaxLength);
            entry.Property(e => e.Details).HasMaxLength(AuditEntry.DetailsMaxLength);
            entry.HasIndex(e => e.At);
        });

        builder.Entity<CallRecord>(call =>
        {
            call.Property(c => c.SessionName).HasMaxLength(CallRecord.SessionNameMaxLength);
            call.Property(c => c.EndReason).HasMaxLength(64);
            call.HasIndex(c => c.StartedAt);
            call.HasMany(c => c.Participations).WithOne(p => p.Call).HasForeignKey(p => p.CallRecordId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Participation>(participation =>
        {
            participation.Property(p => p.ConnectionId).HasMaxLength(64);
            participation.HasIndex(p => p.ConnectionId).IsUnique();
            participation.Property(p => p.UserName).HasMaxLength(256);
            participation.Property(p => p.Nickname).HasMaxLength(Participation.NicknameMaxLength);
            participation.Property(p => p.Role).HasMaxLength(32);
            participation.Property(p => p.LeftReason).HasMaxLength(64);
            participation.HasIndex(p => new { p.UserName, p.JoinedAt });
        });

        builder.Entity<ChatMessage>(message =>
        {
            message.Property(m => m.UserName).HasMaxLength(256);
            message.Property(m => m.Nickname).HasMaxLength(Participation.NicknameMaxLength);
            message.Property(m => m.Text).HasMaxLength(ChatMessage.TextMaxLength);
            message.HasIndex(m => new { m.CallId, m.Id });
        });

        builder.Entity<RecordingEntry>(recording =>
        {
            recording.Property(r => r.Id).HasMaxLength(128);
            recording.Property(r => r.SessionName).HasMaxLength(CallRecord.SessionNameMaxLength);
            recording.Property(r => r.StartedBy).HasMaxLength(256);
            recording.Property(r => r.Status).HasMaxLength(16);
            recording.Property(r => r.FileName).HasMaxLength(256);
            recording.HasIndex(r => r.StartedAt);
            recording.HasIndex(r => r.CallId);
        });
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
