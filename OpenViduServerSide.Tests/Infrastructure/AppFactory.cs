using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace OpenViduServerSide.Tests.Infrastructure;

/// <summary>
/// The real app on the test server, with its own database: a SQLite file in a temporary folder, or a fresh PostgreSQL
/// database (<see cref="TestDatabase"/>), dropped when the factory is disposed.
/// Several factories may share one database (<see cref="DatabasePath"/>, or <see cref="Database"/>) to prove data survives a restart.
/// </summary>
public sealed class AppFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> settings;
    private readonly Action<IServiceCollection>? testServices;
    private readonly bool ownsDatabase;

    /// <param name="databasePath">A SQLite file to share with other factories; else a new database of <paramref name="database"/>'s kind.</param>
    /// <param name="testServices">Replaces app services after the app registered its own.</param>
    public AppFactory(string? databasePath = null, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? testServices = null, TestDatabase database = TestDatabase.Sqlite)
        : this(databasePath is null ? AppDatabase.Create(database) : AppDatabase.SqliteFile(databasePath), ownsDatabase: true, settings, testServices)
    {
    }

    /// <summary>An app on a database its caller owns (and disposes), e.g. another instance of a deployment.</summary>
    public AppFactory(AppDatabase database, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? testServices = null)
        : this(database, ownsDatabase: false, settings, testServices)
    {
    }

    private AppFactory(AppDatabase database, bool ownsDatabase, IDictionary<string, string?>? settings, Action<IServiceCollection>? testServices)
    {
        this.testServices = testServices;
        this.ownsDatabase = ownsDatabase;
        Database = database;
        this.settings = new Dictionary<string, string?>(database.Settings)
        {
            ["Seed:DemoUsers"] = "true",
            // Tests run in the environment "Testing", where demo users need the same acknowledgment as in production.
            ["Seed:AllowDemoUsersOutsideDevelopment"] = "true",
            // Nothing listens on the discard port: tests that need OpenVidu pass an emulator's URL instead.
            ["OpenVidu:Url"] = "http://127.0.0.1:9",
            ["OpenVidu:Secret"] = "MY_SECRET",
            ["OpenVidu:Timeout"] = "00:00:02",
            // Every test client shares one (absent) address: the production limits would throttle the suite itself.
            // SignInLimitTests sets low limits where it tests them.
            ["RateLimits:SignInPerAddressPerMinute"] = "100000",
            ["RateLimits:SignInPerUserNamePerMinute"] = "100000",
            ["RateLimits:ConnectionsPerUserPerMinute"] = "100000",
            ["RateLimits:ConnectionsPerAddressPerMinute"] = "100000",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            this.settings[key] = value;
        }
    }

    public AppDatabase Database { get; }

    /// <summary>The SQLite file (only on SQLite; share <see cref="Database"/> on either).</summary>
    public string DatabasePath => Database.SqlitePath ?? throw new InvalidOperationException("This app is on PostgreSQL: share its Database instead.");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseStaticWebAssets();
        // UseSetting, not ConfigureAppConfiguration: Program reads some settings before Build().
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        if (testServices is not null)
        {
            builder.ConfigureTestServices(testServices);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (ownsDatabase)
        {
            await Database.DisposeAsync();
        }
    }

    /// <summary>Keeps cookies and does not follow redirects; on Kestrel too (ClientOptions then hold Kestrel's address).</summary>
    public HttpClient CreateBrowserLikeClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = ClientOptions.BaseAddress, AllowAutoRedirect = false, HandleCookies = true });
}

public static class TempDatabase
{
    public static string NewPath()
    {
        var folder = Path.Combine(Path.GetTempPath(), "openvidu-server-side-tests");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, $"{Guid.NewGuid():N}.db");
    }
}
