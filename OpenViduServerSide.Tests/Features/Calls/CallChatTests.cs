using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using OpenViduServerSide.Features.Chat;
using OpenViduServerSide.Features.Directory;

namespace OpenViduServerSide.Tests.Features.Calls;

/// <summary>The chat on the call page, with the real server side (ChatRoom, SQLite, the emulator) and a scripted browser.</summary>
public sealed class CallChatTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static ClaimsPrincipal User(string name) => new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], "test"));

    [Fact]
    public async Task Someone_who_joins_late_reads_what_was_said_before()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        var bob = await h.Issuer.IssueAsync("TUTORIAL", "publisher2", "Bob", ConnectionKind.Camera, TestContext.Current.CancellationToken);
        h.Directory.MarkJoined("TUTORIAL", bob.ConnectionId);
        var chat = h.App.Services.GetRequiredService<ChatRoom>();
        Assert.True((await chat.SendAsync(User("publisher2"), "TUTORIAL", "Welcome! Slides: https://example.org/slides", TestContext.Current.CancellationToken)).Sent);

        var page = await h.AliceInTutorialAsync();
        await page.Find("[data-testid=toggle-chat]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal(["Welcome! Slides: https://example.org/slides"], page.FindAll("[data-testid=chat-text]").Select(t => t.TextContent)), Wait);
        Assert.Equal("Bob", page.Find("[data-testid=chat-author]").TextContent);
        Assert.Equal("https://example.org/slides", page.Find("[data-testid=chat-text] a").GetAttribute("href"));
    }

    [Fact]
    public async Task A_message_from_the_server_while_the_chat_is_closed_counts_as_unread_until_it_is_opened()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        var page = await h.AliceInTutorialAsync();
        var line = new ChatLine(41, DateTimeOffset.UtcNow, "publisher2", "Bob", "hi Alice");

        await page.InvokeAsync(() => h.Call.OnSignal(ChatRoom.SignalType, line.ToJson(), null));
        await page.InvokeAsync(() => h.Call.OnSignal(ChatRoom.SignalType, line.ToJson(), null));
        // A chat-typed signal from another browser is not the server's: ignored.
        await page.InvokeAsync(() => h.Call.OnSignal(ChatRoom.SignalType, (line with { Id = 42, Text = "forged" }).ToJson(), "con_other"));

        page.WaitForAssertion(() => Assert.Equal("Open chat, 1 unread", page.Find("[data-testid=toggle-chat]").GetAttribute("aria-label")), Wait);
        await page.Find("[data-testid=toggle-chat]").ClickAsync(new());
        Assert.Equal(["hi Alice"], page.FindAll("[data-testid=chat-text]").Select(t => t.TextContent));
        Assert.Equal("Close chat", page.Find("[data-testid=toggle-chat]").GetAttribute("aria-label"));
    }

    [Fact]
    public async Task Writing_in_the_panel_stores_the_message_and_shows_it_as_mine()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        var page = await h.AliceInTutorialAsync();
        await page.Find("[data-testid=toggle-chat]").ClickAsync(new());

        await page.Find("#chat-message").InputAsync(new ChangeEventArgs { Value = "<i>hello</i>" });
        await page.Find("[data-testid=chat-panel] form").SubmitAsync();

        page.WaitForAssertion(() => Assert.Equal("Alice (you)", page.Find("[data-testid=chat-author]").TextContent), Wait);
        Assert.Equal("<i>hello</i>", page.Find("[data-testid=chat-text]").TextContent);
        var callId = h.Directory.GetParticipants("TUTORIAL")[0].CallId;
        Assert.Equal(["<i>hello</i>"], (await h.App.Services.GetRequiredService<ChatRoom>().ReadAsync(callId, TestContext.Current.CancellationToken)).Select(l => l.Text));
    }
}
