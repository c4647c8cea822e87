using System.Text.RegularExpressions;
using OpenViduEmulator;
using OpenViduServerSide.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OpenViduServerSide.Tests.EndToEnd;

/// <summary>
/// A moderator records a two-person call in real browsers with real media (Janus records, janus-pp-rec writes the file);
/// then an admin finds it on the recordings page and plays it from the app's file endpoint.
/// </summary>
[Collection(RealMediaTests.Name)]
public sealed partial class RecordingFlowTests(BrowserFixture browsers) : IAsyncLifetime
{
    private EmulatedApp app = default!;

    [GeneratedRegex(@"^0:(0[5-9]|[1-5]\d)$")]
    private static partial Regex FiveSecondsOrMore();

    public async ValueTask InitializeAsync() => app = await EmulatedApp.StartAsync(new EmulatedAppOptions
    {
        Kestrel = true,
        Webhooks = true,
        Emulator = new EmulatorOptions { MediaPlane = MediaPlane.Janus, Recording = true },
    });

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_moderator_records_five_seconds_both_pages_show_it_and_a_publisher_has_no_button()
    {
        await using var moderatorContext = await browsers.NewContextAsync(app.BaseUrl);
        await using var publisherContext = await browsers.NewContextAsync(app.BaseUrl);
        var moderator = new AppPage(await moderatorContext.NewPageAsync());
        var publisher = new AppPage(await publisherContext.NewPageAsync());
        await moderator.SignInAsync("moderator");
        await moderator.JoinAsync("LECTURE", "Teacher");
        await publisher.SignInAsync("publisher1");
        await publisher.JoinAsync("LECTURE", "Alice");
        await moderator.ExpectFramesAsync(moderator.Tile("Alice"));
        await publisher.ExpectFramesAsync(publisher.Tile("Teacher"));
        await Expect(publisher.Page.GetByTestId("toggle-recording")).ToHaveCountAsync(0);
        await Expect(publisher.Page.GetByTestId("recording-indicator")).ToHaveCountAsync(0);

        await moderator.Page.GetByTestId("toggle-recording").ClickAsync();

        foreach (var page in new[] { moderator, publisher })
        {
            await Expect(page.Page.GetByTestId("recording-indicator")).ToBeVisibleAsync();
            await Expect(page.Page.GetByTestId("recording-announcement")).ToHaveTextAsync("This call is being recorded.");
        }

        await Expect(moderator.Page.GetByTestId("toggle-recording")).ToHaveTextAsync("Stop recording");
        // Five seconds of media: the running time itself says when (a condition, not a sleep).
        await Expect(publisher.Page.GetByTestId("recording-time")).ToHaveTextAsync(FiveSecondsOrMore(), new() { Timeout = 20_000 });
        await moderator.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("recording-moderator") });
        await publisher.Page.SetViewportSizeAsync(390, 844);
        await publisher.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("recording-publisher-phone") });

        await moderator.Page.GetByTestId("toggle-recording").ClickAsync();

        foreach (var page in new[] { moderator, publisher })
        {
            await Expect(page.Page.GetByTestId("recording-indicator")).ToHaveCountAsync(0);
        }

        await Expect(moderator.Page.GetByTestId("toggle-recording")).ToHaveTextAsync("Record");
        await app.Emulator.Controls.WaitForAsync(_ => app.Emulator.Controls.RecordingStatus("LECTURE") is "ready" or "failed", TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.Equal("ready", app.Emulator.Controls.RecordingStatus("LECTURE"));

        // Where it lives: the admin's recordings page lists it with who started it and plays it from the app's file endpoint.
        await using var adminContext = await browsers.NewContextAsync(app.BaseUrl);
        var admin = new AppPage(await adminContext.NewPageAsync());
        await admin.SignInAsync("admin");
        await admin.Page.GotoAsync("admin/recordings");
        await Expect(admin.Page.GetByTestId("recording-call")).ToHaveTextAsync("LECTURE");
        await Expect(admin.Page.GetByTestId("recording-started-by")).ToHaveTextAsync("moderator");
        await Expect(admin.Page.GetByTestId("recording-download")).ToHaveAttributeAsync("href", "recordings/LECTURE/file");
        await admin.Page.GetByTestId("recording-play").ClickAsync();
        var player = admin.Page.GetByTestId("recording-player");
        await Expect(player).ToHaveAttributeAsync("src", "recordings/LECTURE/file");
        // Muted, so the browser's autoplay policy lets the test start it; then frames decode and time runs.
        await player.EvaluateAsync("v => { v.muted = true; return v.play(); }");
        await admin.Page.WaitForFunctionAsync(
            "() => { const v = document.querySelector('[data-testid=recording-player]'); return v && v.videoWidth > 0 && v.currentTime > 0.5; }",
            null, new() { Timeout = 20_000 });
        await admin.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("recordings-admin") });
        await admin.Page.SetViewportSizeAsync(390, 844);
        await admin.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("recordings-admin-phone"), FullPage = true });
    }
}
