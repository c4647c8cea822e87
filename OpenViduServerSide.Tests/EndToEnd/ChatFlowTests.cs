using Microsoft.Playwright;
using OpenViduServerSide.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OpenViduServerSide.Tests.EndToEnd;

/// <summary>The call's chat in real browsers: delivered through OpenVidu's signal to openvidu-browser, kept for late joiners.</summary>
public sealed class ChatFlowTests(BrowserFixture browsers) : IAsyncLifetime
{
    private EmulatedApp app = default!;

    public async ValueTask InitializeAsync() => app = await EmulatedApp.StartAsync(new EmulatedAppOptions { Kestrel = true });

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_message_reaches_the_other_page_with_an_unread_badge_and_a_late_joiner_on_a_phone_reads_it()
    {
        await using var aliceContext = await browsers.NewContextAsync(app.BaseUrl);
        await using var bobContext = await browsers.NewContextAsync(app.BaseUrl);
        var alice = new AppPage(await aliceContext.NewPageAsync());
        var bob = new AppPage(await bobContext.NewPageAsync());
        await alice.SignInAsync("publisher1");
        await alice.JoinAsync("Chat", "Alice");
        await bob.SignInAsync("subscriber");
        await bob.JoinAsync("Chat", "Bob");

        await alice.Page.GetByTestId("toggle-chat").ClickAsync();
        await alice.Page.Locator("#chat-message").FillAsync("Agenda: https://example.org/agenda <b>not bold</b>");
        await alice.Page.Locator("#chat-message").PressAsync("Enter");

        await Expect(alice.Page.GetByTestId("chat-author")).ToHaveTextAsync("Alice (you)");
        await Expect(alice.Page.Locator("#chat-message")).ToHaveValueAsync("");
        // Bob's chat is closed: the signal arrives through openvidu-browser and counts as unread.
        await Expect(bob.Page.GetByTestId("toggle-chat")).ToHaveAttributeAsync("aria-label", "Open chat, 1 unread");
        await bob.Page.GetByTestId("toggle-chat").ClickAsync();
        await Expect(bob.Page.GetByTestId("chat-text")).ToHaveTextAsync("Agenda: https://example.org/agenda <b>not bold</b>");
        await Expect(bob.Page.GetByTestId("chat-text").GetByRole(AriaRole.Link)).ToHaveAttributeAsync("href", "https://example.org/agenda");
        await bob.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("chat-desktop") });

        // Carol joins later, on a phone-sized screen, and reads the conversation so far.
        await using var carolContext = await browsers.NewContextAsync(app.BaseUrl);
        var carol = new AppPage(await carolContext.NewPageAsync());
        await carol.Page.SetViewportSizeAsync(390, 844);
        await carol.SignInAsync("publisher2");
        await carol.JoinAsync("Chat", "Carol");
        await carol.Page.GetByTestId("toggle-chat").ClickAsync();
        await Expect(carol.Page.GetByTestId("chat-author")).ToHaveTextAsync("Alice");
        await Expect(carol.Page.GetByTestId("chat-text")).ToContainTextAsync("Agenda:");
        await carol.Page.GetByTestId("chat-panel").ScrollIntoViewIfNeededAsync();
        await carol.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("chat-phone-late-joiner") });
    }
}
