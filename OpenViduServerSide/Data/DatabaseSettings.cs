using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace OpenViduServerSide.Data;

/// <summary>Which engine holds the app's data: the embedded SQLite file (one instance) or a PostgreSQL server (several).</summary>
public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
}

/// <summary>
/// <c>Database:Provider</c> and <c>ConnectionStrings:Default</c>, read and checked at start, so a deployment that names one
/// engine and points at the other stops with a sentence instead of failing at its first query.
/// </summary>
internal sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString)
{
    public const string ProviderKey = "Database:Provider";

    public static DatabaseSettings Read(IConfiguration configuration, string contentRoot)
    {
        var configured = configuration.GetConnectionString("Default")
            ?? throw new InvalidOperationException("The setting 'ConnectionStrings:Default' is missing.");
        var provider = ParseProvider(configuration[ProviderKey]);
        var keys = Keys(configured);
        var looksLikeServer = keys.Contains("host") || keys.Contains("server");
        var looksLikeFile = keys.Contains("data source") || keys.Contains("datasource") || keys.Contains("filename");
        return provider switch
        {
            DatabaseProvider.Sqlite when looksLikeServer => throw new InvalidOperationException(
                $"'ConnectionStrings:Default' names a server (Host=…), which is PostgreSQL's form, but '{ProviderKey}' is Sqlite: set it to PostgreSql, or give a SQLite 'Data Source=…'."),
            DatabaseProvider.Sqlite => new(provider, ResolveSqliteConnectionString(configured, contentRoot)),
            DatabaseProvider.PostgreSql when looksLikeFile || !looksLikeServer => throw new InvalidOperationException(
                $"'{ProviderKey}' is PostgreSql, but 'ConnectionStrings:Default' does not name a server: give Npgsql's form (Host=…;Database=…;Username=…;Password=…), or set '{ProviderKey}' to Sqlite for a 'Data Source=…' file."),
            _ => new(provider, CheckedNpgsqlConnectionString(configured)),
        };
    }

    private static DatabaseProvider ParseProvider(string? value) => value switch
    {
        null or "" => DatabaseProvider.Sqlite,
        _ when value.Equals(nameof(DatabaseProvider.Sqlite), StringComparison.OrdinalIgnoreCase) => DatabaseProvider.Sqlite,
        _ when value.Equals(nameof(DatabaseProvider.PostgreSql), StringComparison.OrdinalIgnoreCase) => DatabaseProvider.PostgreSql,
        _ => throw new InvalidOperationException($"The setting '{ProviderKey}' is '{value}': use Sqlite (the default, one instance) or PostgreSql (several instances)."),
    };

    private static HashSet<string> Keys(string connectionString)
    {
        var parsed = new DbConnectionStringBuilder();
        try
        {
            parsed.ConnectionString = connectionString;
        }
        catch (ArgumentException)
        {
            throw new InvalidOperationException("The setting 'ConnectionStrings:Default' is not a connection string (key=value pairs separated by ';').");
        }

        return parsed.Keys.Cast<string>().Select(k => k.ToLowerInvariant()).ToHashSet();
    }

    private static string CheckedNpgsqlConnectionString(string connectionString)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(connectionString).ConnectionString;
        }
        catch (ArgumentException e)
        {
            // Npgsql's message names the key it does not know; the value (a password) is not in it.
            throw new InvalidOperationException($"'ConnectionStrings:Default' is not a PostgreSQL connection string Npgsql accepts: {e.Message}");
        }
    }

    /// <summary>A relative <c>Data Source</c> is taken from the content root, and its folder is created.</summary>
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
