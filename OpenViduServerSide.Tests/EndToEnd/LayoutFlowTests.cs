using OpenViduEmulator;
using OpenViduServerSide.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OpenViduServerSide.Tests.EndToEnd;

/// <summary>
/// The call's layout in Chromium with real media (Janus): a shared screen takes the main area, the cameras go to a strip,
/// and the page stays within the window, controls in view, on a laptop and on a phone.
/// </summary>
[Collection(RealMediaTests.Name)]
public sealed class LayoutFlowTests(BrowserFixture browsers) : IAsyncLifetime
{
    private EmulatedApp app = default!;

    public async ValueTask InitializeAsync() => app = await EmulatedApp.StartAsync(new EmulatedAppOptions { Kestrel = true, Emulator = new EmulatorOptions { MediaPlane = MediaPlane.Janus } });

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_shared_screen_takes_the_main_area_and_the_page_never_outgrows_the_window()
    {
        await using var aliceContext = await browsers.NewContextAsync(app.BaseUrl);
        await using var bobContext = await browsers.NewContextAsync(app.BaseUrl);
        var alice = new AppPage(await aliceContext.NewPageAsync());
        var bob = new AppPage(await bobContext.NewPageAsync());
        await alice.Page.SetViewportSizeAsync(1280, 720);
        await alice.SignInAsync("publisher1");
        await alice.JoinAsync("LAYOUT", "Alice");
        await bob.SignInAsync("publisher2");
        await bob.JoinAsync("LAYOUT", "Bob");

        // Alone at first, then with Bob: Alice's own camera is never shown twice; Bob is the big one.
        await Expect(alice.Tile("Bob")).ToHaveCountAsync(1);
        await Expect(alice.Page.GetByTestId("video-tile")).ToHaveCountAsync(2);
        await Expect(alice.MainVideo.GetByTestId("tile-nickname")).ToHaveTextAsync("Bob");
        await Shoot(alice, "layout-speaker-1280");

        await bob.Page.GetByTestId("toggle-screen").ClickAsync();
        await Expect(alice.MainVideo).ToHaveAttributeAsync("data-kind", "screen");
        await Expect(alice.MainVideo.GetByTestId("tile-nickname")).ToHaveTextAsync("Bob's screen");
        await Expect(alice.MainVideo).ToHaveAttributeAsync("aria-label", "Bob's screen, shown as main video");
        await Expect(alice.Page.GetByTestId("video-strip").Locator("[data-kind=camera]")).ToHaveCountAsync(2);
        await alice.ExpectFramesAsync(alice.MainVideo);
        await Expect(bob.MainVideo.GetByTestId("tile-nickname")).ToHaveTextAsync("Your screen");
        await ExpectWithinTheWindowAsync(alice);
        await Shoot(alice, "layout-share-1280");

        // The same call on a phone-sized window: the strip goes below, the page still fits.
        await alice.Page.SetViewportSizeAsync(390, 844);
        await ExpectWithinTheWindowAsync(alice);
        await Shoot(alice, "layout-share-390");

        // A wide window: the strip goes beside the main video.
        await alice.Page.SetViewportSizeAsync(1920, 1080);
        await ExpectWithinTheWindowAsync(alice);
        await Shoot(alice, "layout-share-1920");

        // The grid is chosen; the share keeps the main area while it lasts, then everyone is the same size.
        await alice.Page.SetViewportSizeAsync(1280, 720);
        await alice.Page.GetByTestId("layout-grid").ClickAsync();
        await Expect(alice.Page.GetByTestId("layout-grid")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(alice.MainVideo).ToHaveAttributeAsync("data-kind", "screen");
        await bob.Page.GetByTestId("toggle-screen").ClickAsync();
        await Expect(alice.Page.GetByTestId("main-video")).ToHaveCountAsync(0);
        await Expect(alice.Page.GetByTestId("video-strip").GetByTestId("video-tile")).ToHaveCountAsync(2);
        await Shoot(alice, "layout-grid-1280");
    }

    /// <summary>No vertical scrolling, the controls and the whole main video in view.</summary>
    private static async Task ExpectWithinTheWindowAsync(AppPage page)
    {
        var heights = await page.Page.EvaluateAsync<int[]>("() => [document.scrollingElement.scrollHeight, window.innerHeight]");
        Assert.True(heights[0] <= heights[1], $"the page is {heights[0]} px tall in a {heights[1]} px window");
        foreach (var control in new[] { "toggle-mic", "toggle-camera", "toggle-screen", "leave" })
        {
            await Expect(page.Page.GetByTestId(control)).ToBeInViewportAsync(new() { Ratio = 1 });
        }

        await Expect(page.MainVideo).ToBeInViewportAsync(new() { Ratio = 1 });
    }

    private static async Task Shoot(AppPage page, string name) => await page.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath(name) });
}
