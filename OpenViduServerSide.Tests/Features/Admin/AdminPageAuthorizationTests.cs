using System.Net;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Admin;

/// <summary>The users page is guarded on the server (endpoint authorization), not only hidden in the menu.</summary>
public sealed class AdminPageAuthorizationTests : IAsyncLifetime
{
    private readonly AppFactory app = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Theory]
    [InlineData("publisher1")]
    [InlineData("subscriber")]
    [InlineData("moderator")]
    public async Task Users_page_is_denied_to_non_admins(string userName)
    {
        var client = app.CreateBrowserLikeClient();
        await LoginFlow.SignInAsync(client, userName);

        using var response = await client.GetAsync("/admin/users", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/AccessDenied", response.Headers.Location?.AbsolutePath);
    }

    [Fact]
    public async Task Users_page_opens_for_the_admin()
    {
        var client = app.CreateBrowserLikeClient();
        await LoginFlow.SignInAsync(client, "admin");

        using var response = await client.GetAsync("/admin/users", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Users_page_sends_anonymous_visitors_to_the_login_page()
    {
        using var response = await app.CreateBrowserLikeClient().GetAsync("/admin/users", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/Login", response.Headers.Location?.AbsolutePath);
    }
}
