using System.Net;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Accounts;

public sealed class LoginTests : IAsyncLifetime
{
    private readonly AppFactory app = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task Demo_user_signs_in_and_lands_on_the_return_url()
    {
        var client = app.CreateBrowserLikeClient();

        using var response = await LoginFlow.PostLoginAsync(client, "publisher1", "pass", returnUrl: "/");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.AbsolutePath);
        // Pages render without prerendering, so the response is the app shell; a 200 (not a redirect to the login page) proves the cookie.
        var home = await client.GetAsync("/", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
    }

    [Fact]
    public async Task Wrong_password_gets_a_clear_message_and_no_cookie()
    {
        var client = app.CreateBrowserLikeClient();

        using var response = await LoginFlow.PostLoginAsync(client, "publisher1", "wrong");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = LoginFlow.Decode(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Contains("Wrong user name or password.", html, StringComparison.Ordinal);
        Assert.DoesNotContain(response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [],
            c => c.StartsWith(".AspNetCore.Identity.Application", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Empty_form_says_what_is_missing()
    {
        var client = app.CreateBrowserLikeClient();

        using var response = await LoginFlow.PostLoginAsync(client, "", "");

        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("Enter your user name.", html, StringComparison.Ordinal);
        Assert.Contains("Enter your password.", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Five_failed_attempts_lock_the_account_even_for_the_right_password()
    {
        var client = app.CreateBrowserLikeClient();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var failed = await LoginFlow.PostLoginAsync(client, "publisher2", "wrong");
        }

        using var response = await LoginFlow.PostLoginAsync(client, "publisher2", "pass");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = LoginFlow.Decode(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Contains("This account is locked after too many failed sign-in attempts. Try again in 5 minutes.", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Anonymous_visitor_is_sent_to_the_login_page()
    {
        var client = app.CreateBrowserLikeClient();

        using var response = await client.GetAsync("/", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/Login", response.Headers.Location?.AbsolutePath ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_out_ends_the_session()
    {
        var client = app.CreateBrowserLikeClient();
        await LoginFlow.SignInAsync(client, "subscriber");
        // The layout's logout form is not prerendered; the static login page carries a token for the signed-in user too.
        var page = await client.GetStringAsync("/Account/Login", TestContext.Current.CancellationToken);
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;

        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["ReturnUrl"] = "" });
        using var logout = await client.PostAsync("/Account/Logout", form, TestContext.Current.CancellationToken);
        using var after = await client.GetAsync("/", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/Account/Login", after.Headers.Location?.AbsolutePath ?? "", StringComparison.Ordinal);
    }
}
