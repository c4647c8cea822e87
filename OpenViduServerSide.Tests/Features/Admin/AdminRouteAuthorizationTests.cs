using System.Net;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Admin;

/// <summary>
/// Every admin page refuses every role but Admin on the server (endpoint authorization, not only a hidden menu),
/// checked over HTTP with each demo user's real sign-in.
/// </summary>
public sealed class AdminRouteAuthorizationTests : IAsyncLifetime
{
    private readonly AppFactory app = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private static readonly string[] Routes = ["/admin/users", "/admin/sessions", "/admin/calls", "/admin/recordings"];

    public static TheoryData<string> RouteCases() => [.. Routes];

    public static TheoryData<string, string, bool> Cases()
    {
        var cases = new TheoryData<string, string, bool>();
        foreach (var route in Routes)
        {
            cases.Add(route, "publisher1", false);
            cases.Add(route, "subscriber", false);
            cases.Add(route, "moderator", false);
            cases.Add(route, "admin", true);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Only_admins_get_the_page(string route, string user, bool allowed)
    {
        var client = app.CreateBrowserLikeClient();
        await LoginFlow.SignInAsync(client, user);

        using var response = await client.GetAsync(route, TestContext.Current.CancellationToken);

        if (allowed)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        else
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/Account/AccessDenied", response.Headers.Location?.AbsolutePath);
        }
    }

    [Theory]
    [MemberData(nameof(RouteCases))]
    public async Task Anonymous_visitors_are_sent_to_sign_in(string route)
    {
        using var response = await app.CreateBrowserLikeClient().GetAsync(route, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/Login", response.Headers.Location?.AbsolutePath);
    }
}
