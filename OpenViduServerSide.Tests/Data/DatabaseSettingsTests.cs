using Microsoft.Extensions.Configuration;
using OpenViduServerSide.Data;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Data;

/// <summary><c>Database:Provider</c> and the connection string are checked at start, with a sentence that says what to change.</summary>
public sealed class DatabaseSettingsTests
{
    [Fact]
    public void SQLite_is_the_default_and_its_relative_file_is_taken_from_the_content_root()
    {
        var settings = Read(null, "Data Source=App_Data/x.db");

        Assert.Equal(DatabaseProvider.Sqlite, settings.Provider);
        Assert.Contains(Path.Combine(Path.GetTempPath(), "openvidu-server-side-tests", "App_Data", "x.db"), settings.ConnectionString, StringComparison.Ordinal);
    }

    [Fact]
    public void PostgreSQL_takes_Npgsql_form()
    {
        var settings = Read("postgresql", "Host=db;Database=ovss;Username=app;Password=secret");

        Assert.Equal(DatabaseProvider.PostgreSql, settings.Provider);
    }

    [Theory]
    [InlineData("Oracle", "Data Source=x.db", "'Database:Provider' is 'Oracle'")]
    [InlineData("PostgreSql", "Data Source=x.db", "does not name a server")]
    [InlineData("Sqlite", "Host=db;Database=ovss", "PostgreSQL's form")]
    [InlineData(null, "Host=db;Database=ovss", "PostgreSQL's form")]
    [InlineData("PostgreSql", "Host=db;Colour=blue", "not a PostgreSQL connection string")]
    public void A_provider_and_a_connection_string_that_do_not_match_stop_the_start(string? provider, string connectionString, string expected)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => Read(provider, connectionString));

        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_app_does_not_start_on_a_mismatch()
    {
        await using var app = new AppFactory(settings: new Dictionary<string, string?> { [DatabaseSettings.ProviderKey] = "PostgreSql" });

        var refused = Assert.Throws<InvalidOperationException>(() => { _ = app.Server; });

        Assert.Contains("does not name a server", refused.Message, StringComparison.Ordinal);
    }

    private static DatabaseSettings Read(string? provider, string connectionString) =>
        DatabaseSettings.Read(
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                [DatabaseSettings.ProviderKey] = provider,
                ["ConnectionStrings:Default"] = connectionString,
            }).Build(),
            Path.Combine(Path.GetTempPath(), "openvidu-server-side-tests"));
}
