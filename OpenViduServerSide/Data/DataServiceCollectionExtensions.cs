using Microsoft.EntityFrameworkCore;
using OpenViduServerSide.Data;

namespace Microsoft.Extensions.DependencyInjection;

public static class DataServiceCollectionExtensions
{
    /// <summary>
    /// EF Core on the engine <c>Database:Provider</c> names (<see cref="DatabaseSettings"/>): SQLite by default (a relative
    /// <c>Data Source</c> is taken from the content root, so the default <c>App_Data/…</c> works from any working
    /// directory), or PostgreSQL for several instances. Either way the schema is migrated at start.
    /// </summary>
    public static IHostApplicationBuilder AddData(this IHostApplicationBuilder builder)
    {
        var database = DatabaseSettings.Read(builder.Configuration, builder.Environment.ContentRootPath);

        // The factory serves circuits and background work (one context per operation); it also registers the scoped
        // context that Identity uses per request.
        builder.Services.AddApplicationDbContext(database);
        builder.Services.AddHostedService<DatabaseInitializer>();
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddHealthChecks().AddDbContextCheck<ApplicationDbContext>("database", tags: ["ready"]);
        return builder;
    }

    private static void AddApplicationDbContext(this IServiceCollection services, DatabaseSettings database)
    {
        if (database.Provider == DatabaseProvider.PostgreSql)
        {
            // Callers ask for ApplicationDbContext; they get the derived type that carries PostgreSQL's migrations.
            services.AddDbContextFactory<ApplicationDbContext, PostgreSqlDbContextFactory>(options => options.UseNpgsql(database.ConnectionString));
        }
        else
        {
            services.AddDbContextFactory<ApplicationDbContext>(options => options.UseSqlite(database.ConnectionString));
        }
    }
}
