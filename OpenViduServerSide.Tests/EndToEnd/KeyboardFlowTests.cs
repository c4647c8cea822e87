using Microsoft.Playwright;
using OpenViduServerSide.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OpenViduServerSide.Tests.EndToEnd;

/// <summary>The call page from the keyboard: shortcuts do what their buttons do, never while typing, and "?" explains them; the fullscreen button too.</summary>
public sealed class KeyboardFlowTests(BrowserFixture browsers) : IAsyncLifetime
{
    private EmulatedApp app = default!;

    public async ValueTask InitializeAsync() => app = await EmulatedApp.StartAsync(new EmulatedAppOptions { Kestrel = true });

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Shortcuts_switch_the_microphone_hand_chat_and_fullscreen_and_the_help_lists_them()
    {
        await using var context = await browsers.NewContextAsync(app.BaseUrl);
        var alice = new AppPage(await context.NewPageAsync());
        var page = alice.Page;
        await alice.SignInAsync("publisher1");
        await alice.JoinAsync("Keys", "Alice");
        await Expect(alice.Tile("Alice")).ToHaveCountAsync(1);
        await page.Keyboard.PressAsync("m");
        await Expect(page.GetByTestId("toggle-mic")).ToHaveAttributeAsync("aria-pressed", "true");
        await page.Keyboard.PressAsync("h");
        await Expect(page.GetByTestId("toggle-hand")).ToHaveAttributeAsync("aria-pressed", "true");
        await page.Keyboard.PressAsync("c");
        await Expect(page.GetByTestId("chat-panel")).ToBeVisibleAsync();

        // Typing in the chat is typing: "m" and "v" go into the box, the microphone stays as it was.
        await page.Locator("#chat-message").FocusAsync();
        await page.Keyboard.TypeAsync("mv");
        await Expect(page.Locator("#chat-message")).ToHaveValueAsync("mv");
        await Expect(page.GetByTestId("toggle-mic")).ToHaveAttributeAsync("aria-pressed", "true");
        await page.Locator("#chat-message").BlurAsync();

        await page.Keyboard.PressAsync("f");
        await page.WaitForFunctionAsync("() => document.fullscreenElement?.matches('[data-testid=video-tile]') === true");
        await page.Keyboard.PressAsync("f");
        await page.WaitForFunctionAsync("() => document.fullscreenElement === null");

        // The fullscreen button does what F does: the main video fills the screen.
        await page.GetByTestId("fullscreen").ClickAsync();
        await page.WaitForFunctionAsync("() => document.fullscreenElement?.matches('[data-testid=main-video] [data-testid=video-tile]') === true");
        await page.Keyboard.PressAsync("f");
        await page.WaitForFunctionAsync("() => document.fullscreenElement === null");

        await page.Keyboard.PressAsync("?");
        var help = page.GetByRole(AriaRole.Dialog, new() { Name = "Keyboard shortcuts" });
        await Expect(help).ToContainTextAsync("Raise or lower your hand");
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("keyboard-shortcuts-help") });
        await page.Keyboard.PressAsync("Escape");
        await Expect(help).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task V_switches_the_camera_and_S_shares_the_screen_and_stops()
    {
        await using var context = await browsers.NewContextAsync(app.BaseUrl);
        var alice = new AppPage(await context.NewPageAsync());
        var page = alice.Page;
        await alice.SignInAsync("publisher1");
        await alice.JoinAsync("Keys", "Alice");
        await Expect(alice.Tile("Alice")).ToHaveCountAsync(1);

        await page.Keyboard.PressAsync("v");
        await Expect(page.GetByTestId("toggle-camera")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(page.GetByTestId("toggle-camera")).ToHaveAttributeAsync("aria-label", "Turn camera on");
        // The browser stopped sending video, not just the button: openvidu-browser's publisher says so.
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=video-tile][data-kind=camera] video')?.srcObject?.getVideoTracks()[0]?.enabled === false");
        await page.Keyboard.PressAsync("v");
        await Expect(page.GetByTestId("toggle-camera")).ToHaveAttributeAsync("aria-pressed", "false");

        await page.Keyboard.PressAsync("s");
        await Expect(alice.ScreenTiles).ToHaveCountAsync(1);
        await Expect(alice.ScreenTiles.GetByTestId("tile-nickname")).ToHaveTextAsync("Your screen");
        await Expect(page.GetByTestId("toggle-screen")).ToHaveTextAsync("Stop sharing");
        await page.Keyboard.PressAsync("s");
        await Expect(alice.ScreenTiles).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("toggle-screen")).ToHaveTextAsync("Share screen");
    }
}
