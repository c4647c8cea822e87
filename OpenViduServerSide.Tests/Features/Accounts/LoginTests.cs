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
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.Identity.Application=", StringComparison.Ordinal));
        // Pages render in the circuit (no prerendering), so a signed-in GET gets the app shell instead of a redirect.
        using var home = await client.GetAsync("/", TestContext.Current.CancellationToken);
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
    public async Task FiveFailedAttemptsPauseThatUserNameFromThatAddressWithTheWrongPasswordAnswer()
    {
        var client = app.CreateBrowserLikeClient();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var failed = await LoginFlow.PostLoginAsync(client, "publisher2", "wrong");
        }

        using var response = await LoginFlow.PostLoginAsync(client, "publisher2", "pass");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = LoginFlow.Decode(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        // The same words as a wrong password or an unknown user: the answer must not reveal that the account exists.
        Assert.Contains(OpenViduServerSide.Features.Accounts.SignInGuard.Refusal, html, StringComparison.Ordinal);
        Assert.DoesNotContain("locked", html, StringComparison.OrdinalIgnoreCase);
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
        // The login page (static SSR) carries an antiforgery token bound to the signed-in user.
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
