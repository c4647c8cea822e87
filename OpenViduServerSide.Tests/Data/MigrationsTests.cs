using Microsoft.EntityFrameworkCore;
using OpenViduServerSide.Data;

namespace OpenViduServerSide.Tests.Data;

/// <summary>
/// Each provider has its own migrations set generated from the one model: a model change without a migration for both
/// fails here (neither needs a server: the model is compared with each set's snapshot).
/// </summary>
public sealed class MigrationsTests
{
    [Fact]
    public void SQLite_migrations_hold_the_whole_model()
    {
        using var db = new ApplicationDbContext(new DbContextOptionsBuilder<ApplicationDbContext>().UseSqlite("Data Source=:memory:").Options);

        Assert.False(db.Database.HasPendingModelChanges(),
            "The model changed without a SQLite migration: dotnet ef migrations add Name --context ApplicationDbContext");
        Assert.Contains(db.Database.GetMigrations(), m => m.EndsWith("_AddDataProtectionKeys", StringComparison.Ordinal));
    }

    [Fact]
    public void PostgreSQL_migrations_hold_the_whole_model_and_are_its_own()
    {
        using var db = new PostgreSqlDbContext(new DbContextOptionsBuilder<ApplicationDbContext>().UseNpgsql("Host=localhost").Options);

        Assert.False(db.Database.HasPendingModelChanges(),
            "The model changed without a PostgreSQL migration: see PostgreSqlDbContext's remarks for the command");
        var migrations = db.Database.GetMigrations().ToList();
        Assert.Contains(migrations, m => m.EndsWith("_InitialPostgreSql", StringComparison.Ordinal));
        Assert.DoesNotContain(migrations, m => m.EndsWith("_InitialIdentity", StringComparison.Ordinal));
    }
}
