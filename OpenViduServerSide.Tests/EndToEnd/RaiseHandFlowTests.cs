using Microsoft.Playwright;
using OpenViduServerSide.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OpenViduServerSide.Tests.EndToEnd;

/// <summary>A raised hand in real browsers: on the tile and first in the list on every page; the moderator lowers it.</summary>
public sealed class RaiseHandFlowTests(BrowserFixture browsers) : IAsyncLifetime
{
    private EmulatedApp app = default!;

    public async ValueTask InitializeAsync() => app = await EmulatedApp.StartAsync(new EmulatedAppOptions { Kestrel = true });

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_raised_hand_shows_everywhere_in_order_and_the_moderator_lowers_it()
    {
        await using var teacherContext = await browsers.NewContextAsync(app.BaseUrl);
        await using var pupilContext = await browsers.NewContextAsync(app.BaseUrl);
        var teacher = new AppPage(await teacherContext.NewPageAsync());
        var pupil = new AppPage(await pupilContext.NewPageAsync());
        await teacher.SignInAsync("moderator");
        await teacher.JoinAsync("Lesson", "Teacher");
        await pupil.SignInAsync("publisher2");
        await pupil.JoinAsync("Lesson", "Pupil");
        await Expect(teacher.Participants).ToHaveCountAsync(2);
        await Expect(teacher.Participants.First).ToContainTextAsync("Teacher");

        var hand = pupil.Page.GetByTestId("toggle-hand");
        await hand.ClickAsync();

        await Expect(hand).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(hand).ToHaveAttributeAsync("aria-label", "Lower your hand");
        // On the teacher's page: first in the list, with its place in line, and on the pupil's tile.
        await Expect(teacher.Participants.First).ToContainTextAsync("Pupil");
        await Expect(teacher.Participants.First.GetByRole(AriaRole.Img, new() { Name = "Hand raised, first in line" })).ToBeVisibleAsync();
        await Expect(teacher.Tile("Pupil").GetByTestId("tile-hand")).ToBeVisibleAsync();
        await Expect(pupil.Tile("Pupil").GetByTestId("tile-hand")).ToBeVisibleAsync();
        await Expect(pupil.Page.GetByTestId("lower-hand")).ToHaveCountAsync(0);
        await teacher.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("hand-raised-teacher") });

        await teacher.Page.GetByRole(AriaRole.Button, new() { Name = "Lower Pupil's hand" }).ClickAsync();

        await Expect(hand).ToHaveAttributeAsync("aria-pressed", "false");
        await Expect(pupil.Tile("Pupil").GetByTestId("tile-hand")).ToHaveCountAsync(0);
        await Expect(teacher.Page.GetByTestId("participant-hand")).ToHaveCountAsync(0);
        await Expect(teacher.Page.GetByText("Pupil's hand was lowered.")).ToBeVisibleAsync();
    }
}
