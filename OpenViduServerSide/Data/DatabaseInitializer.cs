using Microsoft.EntityFrameworkCore;

namespace OpenViduServerSide.Data;

/// <summary>
/// Applies migrations and runs the registered <see cref="IDatabaseSeeder"/>s (the accounts' roles and users) before the
/// server starts listening (hosted services start before Kestrel), so no request ever sees an unmigrated database.
/// </summary>
internal sealed partial class DatabaseInitializer(IServiceScopeFactory scopeFactory, ILogger<DatabaseInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
        var dataSource = db.Database.GetDbConnection().DataSource;
        LogMigrated(dataSource);

        foreach (var seeder in scope.ServiceProvider.GetServices<IDatabaseSeeder>())
        {
            await seeder.SeedAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Database {DataSource} is up to date")]
    private partial void LogMigrated(string dataSource);
}
