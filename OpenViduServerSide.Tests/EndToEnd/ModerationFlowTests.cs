using Microsoft.Playwright;
using OpenViduEmulator;
using OpenViduServerSide.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OpenViduServerSide.Tests.EndToEnd;

/// <summary>A moderator keeps order in a call, in real browsers with real media (Janus): the video flows until they act.</summary>
[Collection(RealMediaTests.Name)]
public sealed class ModerationFlowTests(BrowserFixture browsers) : IAsyncLifetime
{
    private EmulatedApp app = default!;

    public async ValueTask InitializeAsync() => app = await EmulatedApp.StartAsync(new EmulatedAppOptions { Kestrel = true, Emulator = new EmulatorOptions { MediaPlane = MediaPlane.Janus } });

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_moderator_removes_the_subscriber_whose_page_says_who_did_it_and_why()
    {
        await using var moderatorContext = await browsers.NewContextAsync(app.BaseUrl);
        await using var subscriberContext = await browsers.NewContextAsync(app.BaseUrl);
        var moderator = new AppPage(await moderatorContext.NewPageAsync());
        var subscriber = new AppPage(await subscriberContext.NewPageAsync());
        await moderator.SignInAsync("moderator");
        await moderator.JoinAsync("CLASS", "Teacher");
        await subscriber.SignInAsync("subscriber");
        await subscriber.JoinAsync("CLASS", "Pupil");

        var pupilRow = moderator.Participants.Filter(new() { HasText = "Pupil" });
        await Expect(pupilRow).ToHaveCountAsync(1);
        await subscriber.ExpectFramesAsync(subscriber.Tile("Teacher"));
        await Expect(subscriber.Page.GetByTestId("remove-person")).ToHaveCountAsync(0);
        await pupilRow.GetByTestId("remove-person").ClickAsync();
        await moderator.Page.GetByLabel("Reason (shown to them, optional)").FillAsync("Please rejoin with your camera working");
        await moderator.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("moderation-remove-dialog") });
        await moderator.Page.GetByTestId("prompt-confirm").ClickAsync();

        await Expect(subscriber.Page.GetByTestId("call-notice")).ToContainTextAsync(
            "You were removed from the call by a moderator (moderator). Reason: Please rejoin with your camera working");
        await Expect(subscriber.Page.GetByTestId("join-button")).ToBeVisibleAsync();
        await Expect(subscriber.Page.Locator("video")).ToHaveCountAsync(0);
        await Expect(moderator.Participants.Filter(new() { HasText = "Pupil" })).ToHaveCountAsync(0);
        await Expect(moderator.Page.GetByText("Pupil (subscriber) was removed from the call.")).ToBeVisibleAsync();
        await subscriber.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("moderation-removed-subscriber") });
    }

    [Fact]
    public async Task An_admin_ends_a_call_from_the_live_calls_page_and_everyone_is_told()
    {
        await using var adminContext = await browsers.NewContextAsync(app.BaseUrl);
        await using var publisherContext = await browsers.NewContextAsync(app.BaseUrl);
        await using var otherContext = await browsers.NewContextAsync(app.BaseUrl);
        var admin = new AppPage(await adminContext.NewPageAsync());
        var publisher = new AppPage(await publisherContext.NewPageAsync());
        var other = new AppPage(await otherContext.NewPageAsync());
        await publisher.SignInAsync("publisher1");
        await publisher.JoinAsync("STANDUP", "Alice");
        await other.SignInAsync("publisher2");
        await other.JoinAsync("STANDUP", "Bob");
        await publisher.ExpectFramesAsync(publisher.Tile("Bob"));
        await other.ExpectFramesAsync(other.Tile("Alice"));
        await admin.SignInAsync("admin");

        await admin.Page.GotoAsync("/admin/sessions");
        var call = admin.Page.GetByTestId("live-call").Filter(new() { HasText = "STANDUP" });
        await Expect(call.GetByTestId("live-participant")).ToHaveCountAsync(2);
        await admin.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("admin-live-calls") });
        await call.GetByTestId("end-call").ClickAsync();
        await admin.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "End call" }).ClickAsync();

        foreach (var page in new[] { publisher, other })
        {
            await Expect(page.Page.GetByTestId("call-notice")).ToContainTextAsync("The call was ended for everyone by an administrator (admin).");
            // Back at the join form (whose camera preview is the only video left).
            await Expect(page.Page.GetByTestId("video-tile")).ToHaveCountAsync(0);
            await Expect(page.Page.GetByTestId("join-button")).ToBeVisibleAsync();
        }

        await Expect(admin.Page.GetByTestId("no-live-calls")).ToBeVisibleAsync();
        await app.Emulator.Controls.WaitForAsync(state => state.FindSession("STANDUP") is null, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }
}
