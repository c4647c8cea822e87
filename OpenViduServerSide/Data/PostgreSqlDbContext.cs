using Microsoft.EntityFrameworkCore;

namespace OpenViduServerSide.Data;

/// <summary>
/// The same model on PostgreSQL. It exists to carry PostgreSQL's own migrations (<c>Migrations/PostgreSql/</c>, found by
/// this type); every caller still asks for <see cref="ApplicationDbContext"/> and
/// <see cref="IDbContextFactory{ApplicationDbContext}"/> (<see cref="PostgreSqlDbContextFactory"/>).
/// </summary>
/// <remarks>
/// A model change needs a migration for both (MigrationsTests fails otherwise): <c>dotnet ef migrations add Name --context ApplicationDbContext</c>, and
/// <c>dotnet ef migrations add Name --context PostgreSqlDbContext --output-dir Migrations/PostgreSql -- --Database:Provider=PostgreSql
/// --ConnectionStrings:Default=Host=localhost</c> (the app's own registration makes it; no server is needed). No design-time
/// factory: <c>IDesignTimeDbContextFactory</c> is covariant, so one for this type would also answer for the base type.
/// </remarks>
public sealed class PostgreSqlDbContext(DbContextOptions<ApplicationDbContext> options) : ApplicationDbContext((DbContextOptions)options);

/// <summary>Makes <see cref="PostgreSqlDbContext"/>s for everyone who asks for an <see cref="ApplicationDbContext"/>.</summary>
internal sealed class PostgreSqlDbContextFactory(DbContextOptions<ApplicationDbContext> options) : IDbContextFactory<ApplicationDbContext>
{
    public ApplicationDbContext CreateDbContext() => new PostgreSqlDbContext(options);
}
