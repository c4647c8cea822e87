using Microsoft.Playwright;
using OpenViduEmulator;
using OpenViduServerSide.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OpenViduServerSide.Tests.EndToEnd;

/// <summary>Two people in two browsers, the app and the OpenVidu emulator: the tutorial's flow, end to end.</summary>
[Collection(RealMediaTests.Name)]
public sealed class CallFlowTests(BrowserFixture browsers) : IAsyncLifetime
{
    private EmulatedApp app = default!;

    // Real media through Janus: remote tiles must decode frames, not just have a stream bound.
    public async ValueTask InitializeAsync() => app = await EmulatedApp.StartAsync(new EmulatedAppOptions { Kestrel = true, Emulator = new EmulatorOptions { MediaPlane = MediaPlane.Janus } });

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Publisher_and_subscriber_see_each_other_and_the_screen_share()
    {
        await using var publisherContext = await browsers.NewContextAsync(app.BaseUrl);
        await using var subscriberContext = await browsers.NewContextAsync(app.BaseUrl);
        var publisher = new AppPage(await publisherContext.NewPageAsync());
        var subscriber = new AppPage(await subscriberContext.NewPageAsync());
        var seenByBrowser = WatchEverythingTheBrowserReceives(publisher.Page);

        await publisher.SignInAsync("publisher1");
        await publisher.JoinAsync("TUTORIAL", "Alice");
        await subscriber.SignInAsync("subscriber");
        await subscriber.JoinAsync("TUTORIAL", "Bob");

        // Publisher: its own camera plays for real (fake device), and the subscriber is listed.
        await Expect(publisher.Tile("Alice")).ToHaveCountAsync(1);
        await publisher.Page.WaitForFunctionAsync("() => [...document.querySelectorAll('[data-testid=video-grid] video')].some(v => v.videoWidth > 0)");
        await Expect(publisher.Participants.Filter(new() { HasText = "subscriber" })).ToHaveCountAsync(1);

        // Subscriber: no camera of its own, the placeholder, and publisher1's tile with a stream bound.
        await Expect(subscriber.Page.GetByTestId("subscriber-placeholder")).ToBeVisibleAsync();
        await Expect(subscriber.Tile("Bob")).ToHaveCountAsync(0);
        await Expect(subscriber.Tile("Alice")).ToHaveCountAsync(1);
        await Expect(subscriber.Tile("Alice").GetByTestId("tile-username")).ToHaveTextAsync("publisher1");
        // Alice's video decodes on Bob's page, and a playing tile never says it is connecting.
        await subscriber.ExpectFramesAsync(subscriber.Tile("Alice"));
        await Expect(subscriber.Tile("Alice").GetByTestId("tile-connecting")).ToHaveCountAsync(0);
        await Expect(publisher.Tile("Alice").GetByTestId("tile-connecting")).ToHaveCountAsync(0);
        await subscriber.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("call-subscriber-view") });
        await publisher.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("call-publisher-view") });

        // Screen share: a second connection whose stream lands in the subscriber's screen area.
        await publisher.Page.GetByTestId("toggle-screen").ClickAsync();
        await Expect(subscriber.ScreenTiles).ToHaveCountAsync(1);
        await Expect(subscriber.ScreenTiles.GetByTestId("tile-nickname")).ToHaveTextAsync("Alice's screen");
        await subscriber.ExpectFramesAsync(subscriber.ScreenTiles);
        await Expect(publisher.ScreenTiles).ToHaveCountAsync(1);
        await subscriber.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("call-subscriber-sees-screen") });

        // The browser's own "Stop sharing" ends the capture track: the share ends cleanly for everyone.
        await publisher.Page.EvaluateAsync("() => document.querySelector('[data-testid=video-tile][data-kind=screen] video').srcObject.getVideoTracks()[0].dispatchEvent(new Event('ended'))");
        await Expect(subscriber.ScreenTiles).ToHaveCountAsync(0);
        await Expect(publisher.Page.GetByTestId("toggle-screen")).ToHaveTextAsync("Share screen");

        // Muting reaches the other page, both on the tile and in the participant list.
        await publisher.Page.GetByTestId("toggle-mic").ClickAsync();
        await Expect(subscriber.Tile("Alice").GetByTitle("Microphone off")).ToHaveCountAsync(1);
        await Expect(subscriber.Participants.Filter(new() { HasText = "publisher1" }).GetByTitle("Microphone off")).ToHaveCountAsync(1);

        // Sharing again works after a browser-side stop.
        await publisher.Page.GetByTestId("toggle-screen").ClickAsync();
        await Expect(subscriber.ScreenTiles).ToHaveCountAsync(1);

        // Leaving: every tile of publisher1 vanishes from the subscriber's page, and the server forgets both connections.
        await publisher.Page.GetByTestId("leave").ClickAsync();
        await Expect(publisher.Page.GetByTestId("join-button")).ToBeVisibleAsync();
        await Expect(subscriber.Tile("Alice")).ToHaveCountAsync(0);
        await Expect(subscriber.ScreenTiles).ToHaveCountAsync(0);
        await Expect(subscriber.Participants.Filter(new() { HasText = "publisher1" })).ToHaveCountAsync(0);

        // Nothing the publisher's browser received, page, script or circuit frame, carried OpenVidu's secret, neither
        // as it is nor as the Basic credentials the server sends OpenVidu.
        var basic = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("OPENVIDUAPP:" + app.Emulator.Secret));
        Assert.NotEmpty(seenByBrowser);
        Assert.DoesNotContain(seenByBrowser, text => text.Contains(app.Emulator.Secret, StringComparison.Ordinal) || text.Contains(basic, StringComparison.Ordinal));
    }

    /// <summary>Every HTTP response body and WebSocket frame (the Blazor circuit, OpenVidu's socket) a page receives, as text.</summary>
    private static System.Collections.Concurrent.ConcurrentBag<string> WatchEverythingTheBrowserReceives(IPage page)
    {
        var seen = new System.Collections.Concurrent.ConcurrentBag<string>();
        page.Response += async (_, response) =>
        {
            try
            {
                seen.Add(System.Text.Encoding.UTF8.GetString(await response.BodyAsync()));
            }
            catch (PlaywrightException)
            {
                // Redirects and aborted requests have no body.
            }
        };
        page.WebSocket += (_, socket) =>
        {
            socket.FrameReceived += (_, frame) => seen.Add(frame.Text ?? System.Text.Encoding.UTF8.GetString(frame.Binary ?? []));
        };
        return seen;
    }

    [Fact]
    public async Task The_call_fits_a_phone_screen()
    {
        await using var context = await browsers.Browser.NewContextAsync(new()
        {
            BaseURL = app.BaseUrl,
            ViewportSize = new() { Width = 390, Height = 844 },
            Permissions = ["camera", "microphone"],
            IsMobile = true,
            HasTouch = true,
        });
        var phone = new AppPage(await context.NewPageAsync());

        await phone.SignInAsync("publisher1");
        await phone.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("phone-home") });
        await phone.JoinAsync("PHONE", "Pocket");
        await Expect(phone.Tile("Pocket")).ToHaveCountAsync(1);

        await Expect(phone.Page.GetByTestId("leave")).ToBeInViewportAsync();
        var overflow = await phone.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth");
        Assert.False(overflow, "the call page scrolls sideways on a phone");
        await phone.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("phone-call"), FullPage = true });
    }
}
