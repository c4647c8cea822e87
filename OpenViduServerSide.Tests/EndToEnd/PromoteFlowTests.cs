using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OpenViduEmulator;
using OpenViduServerSide.Features.Admin;
using OpenViduServerSide.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OpenViduServerSide.Tests.EndToEnd;

/// <summary>
/// Promote to speak in real browsers with real media (Janus): a moderator lets a SUBSCRIBER speak and her page switches
/// to publishing without a reload; taken back, she watches again; an administrator's role change switches her open call.
/// </summary>
[Collection(RealMediaTests.Name)]
public sealed class PromoteFlowTests(BrowserFixture browsers) : IAsyncLifetime
{
    private const string SamePage = "() => window.__promoteFlowMarker";

    // A switch mints, connects a second session and starts the camera: on a loaded machine that takes more than Expect's 5 s.
    private static readonly LocatorAssertionsToContainTextOptions Switched = new() { Timeout = 30_000 };
    private EmulatedApp app = default!;

    public async ValueTask InitializeAsync() => app = await EmulatedApp.StartAsync(new EmulatedAppOptions { Kestrel = true, Emulator = new EmulatorOptions { MediaPlane = MediaPlane.Janus } });

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_subscriber_let_speak_is_seen_by_the_moderator_without_a_reload_then_watches_again_and_an_admin_role_change_switches_her_call()
    {
        await using var moderatorContext = await browsers.NewContextAsync(app.BaseUrl);
        await using var subscriberContext = await browsers.NewContextAsync(app.BaseUrl);
        var teacher = new AppPage(await moderatorContext.NewPageAsync());
        var pupil = new AppPage(await subscriberContext.NewPageAsync());
        await teacher.SignInAsync("moderator");
        await teacher.JoinAsync("CLASS", "Teacher");
        await pupil.SignInAsync("subscriber");
        await pupil.JoinAsync("CLASS", "Pupil");
        await pupil.ExpectFramesAsync(pupil.Tile("Teacher"));
        var callUrl = pupil.Page.Url;
        // A reload or a navigation would lose this.
        await pupil.Page.EvaluateAsync("() => { window.__promoteFlowMarker = 'same page'; }");
        await pupil.Page.GetByTestId("toggle-hand").ClickAsync();
        var pupilRow = teacher.Participants.Filter(new() { HasText = "Pupil" });
        await Expect(pupilRow.GetByTestId("participant-hand")).ToBeVisibleAsync();
        await teacher.Page.SetViewportSizeAsync(390, 844);
        await pupilRow.ScrollIntoViewIfNeededAsync();
        await teacher.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("promote-let-speak-phone") });
        await teacher.Page.SetViewportSizeAsync(1280, 800);

        await pupilRow.GetByRole(AriaRole.Button, new() { Name = "Let Pupil speak in this call" }).ClickAsync();

        await Expect(pupil.Page.GetByTestId("call-notice")).ToContainTextAsync("A moderator (moderator) let you speak: you are publishing in this call now.", Switched);
        await Expect(pupil.Page.GetByTestId("my-role")).ToHaveTextAsync("PUBLISHER");
        await Expect(pupil.Page.GetByTestId("toggle-mic")).ToBeVisibleAsync();
        await teacher.ExpectFramesAsync(teacher.Tile("Pupil"));
        // Her view of the teacher survived the switch of sessions: the same <video> decodes on.
        await pupil.ExpectFramesAsync(pupil.Tile("Teacher"));
        await Expect(pupilRow.GetByTestId("participant-hand")).ToHaveCountAsync(0);
        await Expect(teacher.Participants).ToHaveCountAsync(2);
        Assert.Equal("same page", await pupil.Page.EvaluateAsync<string>(SamePage));
        Assert.Equal(callUrl, pupil.Page.Url);
        await pupil.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("promote-pupil-speaking") });
        await teacher.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("promote-teacher-sees-pupil") });

        await pupilRow.GetByRole(AriaRole.Button, new() { Name = "Take back Pupil's turn to speak" }).ClickAsync();

        await Expect(teacher.Tile("Pupil")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await Expect(pupil.Page.GetByTestId("my-role")).ToHaveTextAsync("SUBSCRIBER");
        await Expect(pupil.Page.GetByTestId("call-notice")).ToContainTextAsync("A moderator (moderator) took back your turn to speak.", Switched);
        await Expect(pupil.Page.GetByTestId("subscriber-placeholder")).ToBeVisibleAsync();
        await pupil.ExpectFramesAsync(pupil.Tile("Teacher"));

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var changed = await scope.ServiceProvider.GetRequiredService<UserAdministration>().SetOpenViduRoleAsync("admin", "subscriber", "PUBLISHER", TestContext.Current.CancellationToken);
            Assert.True(changed.Succeeded, changed.Message);
        }

        await Expect(pupil.Page.GetByTestId("call-notice")).ToContainTextAsync("An administrator (admin) changed your role to PUBLISHER.", Switched);
        await Expect(pupil.Page.GetByTestId("my-role")).ToHaveTextAsync("PUBLISHER");
        await teacher.ExpectFramesAsync(teacher.Tile("Pupil"));
        Assert.Equal("same page", await pupil.Page.EvaluateAsync<string>(SamePage));
        // Still signed in: a role change does not end the page's sign-in (it would take her out of the call).
        await Expect(pupil.Page.GetByTestId("user-name")).ToHaveTextAsync("subscriber");
        await pupil.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("promote-admin-role-change") });
        await pupil.Page.SetViewportSizeAsync(390, 844);
        await pupil.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("promote-admin-role-change-phone") });
    }
}
