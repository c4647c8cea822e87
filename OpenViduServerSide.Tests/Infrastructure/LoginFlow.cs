using System.Net;
using System.Text.RegularExpressions;

namespace OpenViduServerSide.Tests.Infrastructure;

/// <summary>Drives the static-SSR login form the way a browser does: GET for the antiforgery token, then POST.</summary>
public static partial class LoginFlow
{
    public static async Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string userName, string password, string? returnUrl = null)
    {
        var ct = TestContext.Current.CancellationToken;
        var url = returnUrl is null ? "/Account/Login" : $"/Account/Login?ReturnUrl={Uri.EscapeDataString(returnUrl)}";
        var page = await client.GetStringAsync(url, ct);
        var token = AntiforgeryField().Match(page).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token), "the login page has no antiforgery token");

        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = token,
            ["Input.UserName"] = userName,
            ["Input.Password"] = password,
        });
        return await client.PostAsync(url, form, ct);
    }

    public static async Task SignInAsync(HttpClient client, string userName, string password = "pass")
    {
        using var response = await PostLoginAsync(client, userName, password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    public static string Decode(string html) => WebUtility.HtmlDecode(html);

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
