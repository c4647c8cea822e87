using Microsoft.Playwright;
using OpenViduEmulator;
using OpenViduEmulator.Testing;
using OpenViduServerSide.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OpenViduServerSide.Tests.EndToEnd;

/// <summary>
/// The pre-join and the device switch in real Chromium with fake devices: the preview and the meter run on the fake
/// camera and microphone (a beep), a camera is switched in a call (Janus), and a browser without
/// devices is told so and still gets in.
/// </summary>
[Collection(RealMediaTests.Name)]
public sealed class PreJoinFlowTests(BrowserFixture browsers) : IAsyncLifetime
{
    private readonly List<IBrowserContext> contexts = [];
    private EmulatedApp app = default!;

    public async ValueTask InitializeAsync() => app = await EmulatedApp.StartAsync(new EmulatedAppOptions { Kestrel = true, Emulator = new EmulatorOptions { MediaPlane = MediaPlane.Janus } });

    public async ValueTask DisposeAsync()
    {
        foreach (var context in contexts)
        {
            await context.DisposeAsync();
        }

        await app.DisposeAsync();
    }

    private async Task<AppPage> SignedInAsync(string userName, IBrowser? browser = null)
    {
        var context = browser is null
            ? await browsers.NewContextAsync(app.BaseUrl)
            : await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseUrl, Permissions = ["camera", "microphone"] });
        context.SetDefaultTimeout(15_000);
        contexts.Add(context);
        var page = new AppPage(await context.NewPageAsync());
        await page.SignInAsync(userName);
        return page;
    }

    [Fact]
    public async Task The_preview_plays_the_meter_moves_and_the_choice_starts_the_call_and_is_remembered()
    {
        var alice = await SignedInAsync("publisher1");
        await alice.OpenPreJoinAsync();

        await alice.ExpectPreviewPictureAsync();
        await alice.ExpectMicrophoneLevelAsync();
        await Expect(alice.DeviceErrors).ToHaveCountAsync(0);
        await alice.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("prejoin-desktop") });
        await alice.Page.SetViewportSizeAsync(390, 844);
        await alice.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("prejoin-phone"), FullPage = true });
        await alice.Page.SetViewportSizeAsync(1280, 800);

        // Camera off at start: the preview lets the camera go, and the call starts with it off.
        await alice.Page.GetByLabel("Start with the camera on").ClickAsync();
        await Expect(alice.Page.GetByTestId("preview-off")).ToContainTextAsync("Your camera is off");
        await alice.Page.Locator("#session-name").FillAsync("PreJoin");
        await alice.Page.Locator("#nickname").FillAsync("Zed");
        await alice.Page.GetByTestId("join-button").ClickAsync();
        await Expect(alice.Page.GetByTestId("toggle-camera")).ToHaveAttributeAsync("aria-label", "Turn camera on");
        await Expect(alice.Page.GetByTestId("toggle-mic")).ToHaveAttributeAsync("aria-label", "Mute microphone");
        await alice.Page.GetByTestId("leave").ClickAsync();

        // The next visit starts from the same choice and nickname.
        await alice.Page.ReloadAsync();
        await Expect(alice.Page.Locator("#nickname")).ToHaveValueAsync("Zed");
        await Expect(alice.Page.GetByLabel("Start with the camera on")).Not.ToBeCheckedAsync();
        await Expect(alice.Page.GetByLabel("Start with the microphone on")).ToBeCheckedAsync();
    }

    [Fact]
    public async Task A_camera_switched_in_the_call_plays_the_new_camera_and_keeps_the_call()
    {
        // Chromium's fake devices, three of each, for Alice only. The second fake camera is a depth camera (Y16 pixels),
        // which WebRTC's encoder cannot send: the switch goes to the third (MJPEG), as to a real second webcam.
        using var playwright = await Playwright.CreateAsync();
        await using var twoCameras = await LaunchAsync(playwright, [.. ChromiumOptions.CommonArguments.Where(a => a != "--use-fake-device-for-media-stream"),
            "--use-fake-device-for-media-stream=device-count=3"]);
        var alice = await SignedInAsync("publisher1", twoCameras);
        await alice.JoinAsync("Switch", "Alice");
        var bob = await SignedInAsync("subscriber");
        await bob.JoinAsync("Switch", "Bob");
        await bob.ExpectFramesAsync(bob.Tile("Alice"));
        const string PublishedCameraLabel = "() => document.querySelector('[data-testid=video-grid] video').srcObject.getVideoTracks()[0].label";
        const string PublishedCamera = "() => document.querySelector('[data-testid=video-grid] video').srcObject.getVideoTracks()[0].getSettings().deviceId";
        var before = await alice.Page.EvaluateAsync<string>(PublishedCamera);

        await alice.SwitchToDeviceAsync("Camera", "fake_device_2");

        await alice.Page.WaitForFunctionAsync($"before => ({PublishedCamera})() !== before", before);
        // The new camera plays in Alice's own tile and, through Janus, on Bob's page: the same stream, new frames.
        await alice.ExpectFramesAsync(alice.Tile("Alice"));
        await bob.ExpectFramesAsync(bob.Tile("Alice"));
        Assert.Contains("fake_device_2", await alice.Page.EvaluateAsync<string>(PublishedCameraLabel), StringComparison.Ordinal);
        await Expect(alice.Page.GetByTestId("call-notice")).ToHaveCountAsync(0);
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Camera and microphone" }).ClickAsync();
        await Expect(alice.Page.Locator("[data-testid=device-option][data-kind=Camera][data-chosen=true]")).ToHaveCountAsync(1);
        await alice.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("prejoin-device-menu") });
    }

    [Fact]
    public async Task Joining_turns_the_preview_camera_off_before_the_call_opens_its_own()
    {
        var alice = await SignedInAsync("publisher1");
        await alice.Page.AddInitScriptAsync(RecordCameraOpens);
        await alice.OpenPreJoinAsync();
        await alice.ExpectPreviewPictureAsync();

        await alice.Page.Locator("#session-name").FillAsync("PreviewOff");
        await alice.Page.GetByTestId("join-button").ClickAsync();
        await Expect(alice.Page.GetByTestId("toggle-camera")).ToHaveAttributeAsync("aria-label", "Turn camera off");

        // Two cameras opened (the preview's, then the call's), and none was live when the call's opened: a phone's camera
        // may refuse a second user. Afterwards only the call's is live.
        var liveWhenOpened = await alice.Page.EvaluateAsync<int[]>("() => window.cameraOpens.map(o => o.liveBefore)");
        Assert.Equal([0, 0], liveWhenOpened);
        Assert.Equal(1, await alice.Page.EvaluateAsync<int>("() => window.cameraOpens.filter(o => o.track.readyState === 'live').length"));
    }

    // Records every camera the page opens (the preview's and openvidu-browser's) with how many were live just before.
    private const string RecordCameraOpens = """
        window.cameraOpens = [];
        const open = MediaDevices.prototype.getUserMedia;
        MediaDevices.prototype.getUserMedia = async function (constraints) {
            if (!constraints?.video) return open.call(this, constraints);
            const liveBefore = window.cameraOpens.filter(o => o.track.readyState === 'live').length;
            const stream = await open.call(this, constraints);
            window.cameraOpens.push({ liveBefore, track: stream.getVideoTracks()[0] });
            return stream;
        };
        """;

    [Fact]
    public async Task Missing_devices_are_explained_and_the_person_joins_without_them_and_sees_the_others()
    {
        var carol = await SignedInAsync("publisher2");
        await carol.JoinAsync("NoDevices", "Carol");
        // A browser without the fake devices: this machine has no camera and no microphone.
        using var playwright = await Playwright.CreateAsync();
        await using var noDevices = await LaunchAsync(playwright, ChromiumOptions.CommonArguments.Where(a => a != "--use-fake-device-for-media-stream"));
        var alice = await SignedInAsync("publisher1", noDevices);
        await alice.OpenPreJoinAsync();

        await Expect(alice.DeviceErrors.Filter(new() { HasText = "No camera was found." })).ToHaveCountAsync(1);
        await Expect(alice.DeviceErrors.Filter(new() { HasText = "No microphone was found." })).ToHaveCountAsync(1);
        await Expect(alice.Page.GetByTestId("join-button")).ToHaveTextAsync("Join without camera and microphone");
        await alice.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("prejoin-no-devices") });
        await alice.Page.Locator("#session-name").FillAsync("NoDevices");
        await alice.Page.GetByTestId("join-button").ClickAsync();

        await Expect(alice.Page.GetByTestId("call-title")).ToHaveTextAsync("NoDevices");
        await Expect(alice.Page.GetByTestId("call-notice")).ToContainTextAsync("You joined without camera and microphone");
        await alice.ExpectFramesAsync(alice.Tile("Carol"));
        await Expect(carol.Participants).ToHaveCountAsync(2);
    }

    private static Task<IBrowser> LaunchAsync(IPlaywright playwright, IEnumerable<string> arguments) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumOptions.ExecutablePath,
            Headless = true,
            Args = [.. arguments, ChromiumOptions.AllowLoopbackInPeerConnection],
        });
}
