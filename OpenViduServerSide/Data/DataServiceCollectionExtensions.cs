using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OpenViduServerSide.Data;

namespace Microsoft.Extensions.DependencyInjection;

public static class DataServiceCollectionExtensions
{
    /// <summary>
    /// SQLite through EF Core. A relative <c>Data Source</c> is taken from the content root, and its folder
    /// is created, so the default <c>App_Data/openvidu.db</c> works from any working directory.
    /// </summary>
    public static IHostApplicationBuilder AddData(this IHostApplicationBuilder builder)
    {
        var configured = builder.Configuration.GetConnectionString("Default")
            ?? throw new InvalidOperationException("The setting 'ConnectionStrings:Default' is missing.");
        var connectionString = ResolveSqliteConnectionString(configured, builder.Environment.ContentRootPath);

        // The factory serves circuits and background work (one context per operation); it also registers the scoped
        // context that Identity uses per request.
        builder.Services.AddDbContextFactory<ApplicationDbContext>(options => options.UseSqlite(connectionString));
        builder.Services.AddHostedService<DatabaseInitializer>();
        builder.Services.AddHealthChecks().AddDbContextCheck<ApplicationDbContext>("database", tags: ["ready"]);
        return builder;
    }

    internal static string ResolveSqliteConnectionString(string connectionString, string contentRoot)
    {
        var sqlite = new SqliteConnectionStringBuilder(connectionString);
        if (sqlite.DataSource is { Length: > 0 } dataSource && dataSource != ":memory:" && !Path.IsPathRooted(dataSource))
        {
            sqlite.DataSource = Path.Combine(contentRoot, dataSource);
        }

        if (Path.GetDirectoryName(sqlite.DataSource) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        return sqlite.ToString();
    }
}
