using Microsoft.Playwright;

namespace OpenViduServerSide.Tests.EndToEnd;

/// <summary>Page object: what a person does in the app, in words.</summary>
public sealed class AppPage(IPage page)
{
    public IPage Page { get; } = page;

    public async Task SignInAsync(string userName, string password = "pass")
    {
        await Page.GotoAsync("/Account/Login");
        await Page.GetByLabel("User name").FillAsync(userName);
        await Page.GetByLabel("Password").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Page.WaitForURLAsync(url => !url.Contains("/Account/Login", StringComparison.Ordinal));
    }

    public async Task JoinAsync(string sessionName, string nickname)
    {
        await Page.GotoAsync("/call");
        await Page.Locator("#session-name").FillAsync(sessionName);
        await Page.Locator("#nickname").FillAsync(nickname);
        await Page.GetByTestId("join-button").ClickAsync();
        await Page.GetByTestId("call-title").WaitForAsync();
    }

    public ILocator Tiles => Page.GetByTestId("video-grid").GetByTestId("video-tile");

    public ILocator Tile(string nickname) => Tiles.Filter(new() { Has = Page.GetByTestId("tile-nickname").GetByText(nickname, new() { Exact = true }) });

    public ILocator ScreenTiles => Page.GetByTestId("screen-area").GetByTestId("video-tile");

    public ILocator Participants => Page.GetByTestId("participant");
}
