using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Accounts;

/// <summary>
/// On PostgreSQL the data-protection keys live in the database, so a sign-in cookie one instance issued is accepted by
/// every other instance of the deployment. (Not on SQLite: see AddAccounts.)
/// </summary>
public sealed class SharedKeysTests
{
    private const TestDatabase Kind = TestDatabase.PostgreSql;

    [Fact]
    public async Task A_cookie_issued_by_one_instance_is_accepted_by_another_on_the_same_database()
    {
        await using var database = AppDatabase.Create(Kind);
        await using var first = new AppFactory(database);
        await using var second = new AppFactory(database);

        using var signIn = await LoginFlow.PostLoginAsync(first.CreateBrowserLikeClient(), "publisher1", "pass");
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var cookies = signIn.Headers.GetValues(HeaderNames.SetCookie).Select(c => c.Split(';')[0]).ToList();
        Assert.Contains(cookies, c => c.StartsWith(".AspNetCore.Identity.Application=", StringComparison.Ordinal));

        using var elsewhere = second.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        using var withCookie = new HttpRequestMessage(HttpMethod.Get, "/");
        withCookie.Headers.Add(HeaderNames.Cookie, string.Join("; ", cookies));
        using var home = await elsewhere.SendAsync(withCookie, TestContext.Current.CancellationToken);
        using var anonymous = await elsewhere.GetAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        await using var db = database.CreateDbContext();
        Assert.Equal(1, await db.DataProtectionKeys.CountAsync(TestContext.Current.CancellationToken));
    }
}

public sealed class KeysFolderTests
{
    [Fact]
    public async Task A_configured_keys_folder_wins_over_the_database()
    {
        var folder = Path.Combine(Path.GetTempPath(), "openvidu-server-side-tests", $"keys-{Guid.NewGuid():N}");
        await using var app = new AppFactory(settings: new Dictionary<string, string?> { ["DataProtection:KeysPath"] = folder });

        using var signIn = await LoginFlow.PostLoginAsync(app.CreateBrowserLikeClient(), "publisher1", "pass");

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.NotEmpty(System.IO.Directory.GetFiles(folder, "key-*.xml"));
        await using var db = app.Database.CreateDbContext();
        Assert.Equal(0, await db.DataProtectionKeys.CountAsync(TestContext.Current.CancellationToken));
    }
}
