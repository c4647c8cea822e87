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

    /// <summary>Opens the call page: the pre-join with its camera preview for those who publish.</summary>
    public async Task OpenPreJoinAsync()
    {
        await Page.GotoAsync("/call");
        await Page.GetByTestId("join-button").WaitForAsync();
    }

    public ILocator PreviewVideo => Page.GetByTestId("preview-video");

    public ILocator MicrophoneLevel => Page.GetByTestId("mic-level");

    public ILocator DeviceErrors => Page.GetByTestId("device-error");

    /// <summary>Waits until the pre-join's preview shows the camera (the video has a width).</summary>
    public Task ExpectPreviewPictureAsync() =>
        Page.WaitForFunctionAsync("() => document.querySelector('[data-testid=preview-video]')?.videoWidth > 0");

    /// <summary>Waits until the microphone meter shows sound (a click first: browsers start audio after one).</summary>
    public async Task ExpectMicrophoneLevelAsync()
    {
        await Page.GetByTestId("device-setup").ClickAsync(new() { Position = new() { X = 2, Y = 2 } });
        await Page.WaitForFunctionAsync("() => Number(document.querySelector('[data-testid=mic-level]')?.getAttribute('aria-valuenow')) > 0");
    }

    /// <summary>In the call: opens the device menu and picks the camera or microphone whose name contains <paramref name="label"/>.</summary>
    public async Task SwitchToDeviceAsync(string kind, string label)
    {
        await Page.GetByRole(AriaRole.Button, new() { Name = "Camera and microphone" }).ClickAsync();
        await Page.Locator($"[data-testid=device-option][data-kind={kind}][data-chosen=false]").Filter(new() { HasText = label }).ClickAsync();
    }


    /// <summary>Camera tiles, wherever the layout puts them (main video, strip or grid).</summary>
    public ILocator Tiles => Page.GetByTestId("video-grid").Locator("[data-testid=video-tile][data-kind=camera]");

    public ILocator Tile(string nickname) => Tiles.Filter(new() { Has = Page.GetByTestId("tile-nickname").GetByText(nickname, new() { Exact = true }) });

    /// <summary>Shared screens, wherever the layout puts them.</summary>
    public ILocator ScreenTiles => Page.GetByTestId("video-grid").Locator("[data-testid=video-tile][data-kind=screen]");

    public ILocator Participants => Page.GetByTestId("participant");

    public ILocator MainVideo => Page.GetByTestId("main-video").GetByTestId("video-tile");

    // Frames the <video> element itself presented (decoded and shown), counted from the first look of this wait.
    private const string FramesRising = """
        ([video, key, wanted]) => {
          if (!video.isConnected || video.videoWidth === 0) return false;
          const frames = video.getVideoPlaybackQuality().totalVideoFrames;
          video[key] ??= frames;
          return frames - video[key] >= wanted;
        }
        """;

    /// <summary>
    /// Waits until the tile's video decodes real frames: a width, and <paramref name="frames"/> more frames presented
    /// than when the wait began (so a frozen picture does not count). Returns the element's frame count then.
    /// </summary>
    public async Task<int> ExpectFramesAsync(ILocator tile, int frames = 10)
    {
        var video = await tile.Locator("video").First.ElementHandleAsync();
        await Page.WaitForFunctionAsync(FramesRising, new object[] { video, $"__frames{Guid.NewGuid():N}", frames }, new() { Timeout = 30_000 });
        return await video.EvaluateAsync<int>("v => v.getVideoPlaybackQuality().totalVideoFrames");
    }
}
