using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpenViduServerSide.Data;

namespace OpenViduServerSide.Tests.Infrastructure;

/// <summary>The engine an app under test stores its data in (<see cref="AppFactory"/>, <see cref="EmulatedAppOptions.Database"/>).</summary>
public enum TestDatabase
{
    /// <summary>A fresh SQLite file in a temporary folder (the app's default provider).</summary>
    Sqlite,

    /// <summary>A fresh database on the test run's PostgreSQL (<c>OVSS_TEST_POSTGRES</c>), dropped with its owner.</summary>
    PostgreSql,
}

/// <summary>
/// One test's database and the settings that point the app at it. Several apps may share one (a restart, a second
/// instance); whoever created it disposes it. A PostgreSQL one is copied from a template migrated once per test run
/// (<c>CREATE DATABASE … TEMPLATE</c>), so each app starts on an up-to-date schema in a few milliseconds.
/// </summary>
public sealed class AppDatabase : IAsyncDisposable
{
    private static readonly Lazy<string> Template = new(CreateTemplate, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lock CreateLock = new();

    private AppDatabase(TestDatabase kind, string connectionString, string? sqlitePath, string? postgreSqlName)
    {
        Kind = kind;
        ConnectionString = connectionString;
        SqlitePath = sqlitePath;
        PostgreSqlName = postgreSqlName;
    }

    public TestDatabase Kind { get; }

    public string ConnectionString { get; }

    /// <summary>The file of a SQLite database; null on PostgreSQL.</summary>
    public string? SqlitePath { get; }

    private string? PostgreSqlName { get; }

    /// <summary>The app settings that select this database.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new(DatabaseSettings.ProviderKey, Kind == TestDatabase.PostgreSql ? nameof(DatabaseProvider.PostgreSql) : nameof(DatabaseProvider.Sqlite)),
        new("ConnectionStrings:Default", ConnectionString),
    ];

    public static AppDatabase Create(TestDatabase kind) => kind switch
    {
        TestDatabase.PostgreSql => CreatePostgreSql(),
        _ => SqliteFile(TempDatabase.NewPath()),
    };

    /// <summary>A SQLite file of the caller's (it stays when disposed, as before).</summary>
    public static AppDatabase SqliteFile(string path) => new(TestDatabase.Sqlite, $"Data Source={path}", path, null);

    /// <summary>A context on this database outside any app (e.g. to break it on purpose).</summary>
    public ApplicationDbContext CreateDbContext() => Kind == TestDatabase.PostgreSql
        ? new PostgreSqlDbContext(new DbContextOptionsBuilder<ApplicationDbContext>().UseNpgsql(ConnectionString).Options)
        : new ApplicationDbContext(new DbContextOptionsBuilder<ApplicationDbContext>().UseSqlite(ConnectionString).Options);

    public async ValueTask DisposeAsync()
    {
        if (PostgreSqlName is null)
        {
            return;
        }

        // The apps are gone, their pooled connections are not: FORCE ends them.
        await using var connection = new NpgsqlConnection(TestServers.PostgreSql);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{PostgreSqlName}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static AppDatabase CreatePostgreSql()
    {
        var template = Template.Value;
        var name = $"ovss_{Guid.NewGuid():N}";
        // PostgreSQL refuses a copy while anyone is connected to the template; copies themselves are serialized here.
        lock (CreateLock)
        {
            Execute(TestServers.PostgreSql, $"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
        }

        return new AppDatabase(TestDatabase.PostgreSql, WithDatabase(name), null, name);
    }

    /// <summary>Once per test run: a database migrated with the app's PostgreSQL migrations, for every test database to copy.</summary>
    private static string CreateTemplate()
    {
        var name = $"ovss_template_{Environment.ProcessId}_{Guid.NewGuid():N}";
        Execute(TestServers.PostgreSql, $"CREATE DATABASE \"{name}\"");
        var connectionString = WithDatabase(name);
        using (var db = new PostgreSqlDbContext(new DbContextOptionsBuilder<ApplicationDbContext>().UseNpgsql(connectionString).Options))
        {
            db.Database.Migrate();
        }

        using (var connection = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(connection);
        }

        return name;
    }

    private static string WithDatabase(string name) =>
        new NpgsqlConnectionStringBuilder(TestServers.PostgreSql) { Database = name }.ConnectionString;

    private static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
