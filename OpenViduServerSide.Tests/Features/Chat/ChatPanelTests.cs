using Bunit;
using Microsoft.AspNetCore.Components;
using OpenViduServerSide.Features.Chat;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Chat;

public sealed class ChatPanelTests : MudTestContext
{
    private static readonly DateTimeOffset At = new(2026, 11, 25, 9, 30, 0, TimeSpan.Zero);

    private IRenderedComponent<ChatPanel> RenderPanel(IReadOnlyList<ChatLine> lines, Func<string, Task<string?>>? send = null) =>
        Render<ChatPanel>(p => p
            .Add(c => c.Lines, lines)
            .Add(c => c.MyUserName, "publisher1")
            .Add(c => c.Send, send ?? (_ => Task.FromResult<string?>(null))));

    [Fact]
    public void Text_is_shown_as_text_never_as_html_and_web_links_are_clickable_and_safe()
    {
        var panel = RenderPanel([new ChatLine(1, At, "publisher2", "Bob", "<b>bold</b> <script>x()</script> see https://example.org/a?b=1. or javascript:alert(1)")]);

        var text = panel.Find("[data-testid=chat-text]");
        Assert.Empty(text.QuerySelectorAll("b, script"));
        Assert.Equal("<b>bold</b> <script>x()</script> see https://example.org/a?b=1. or javascript:alert(1)", text.TextContent);
        var link = Assert.Single(text.QuerySelectorAll("a"));
        Assert.Equal("https://example.org/a?b=1", link.GetAttribute("href"));
        Assert.Equal("noopener noreferrer nofollow", link.GetAttribute("rel"));
        Assert.Equal("_blank", link.GetAttribute("target"));
    }

    [Fact]
    public void Lines_show_who_wrote_them_and_mine_are_marked_in_a_live_log()
    {
        var panel = RenderPanel([new ChatLine(1, At, "publisher2", "Bob", "hi"), new ChatLine(2, At, "publisher1", "Alice", "hello")]);

        Assert.Equal(["Bob", "Alice (you)"], panel.FindAll("[data-testid=chat-author]").Select(a => a.TextContent));
        var log = panel.Find("[data-testid=chat-lines]");
        Assert.Equal(("log", "polite"), (log.GetAttribute("role"), log.GetAttribute("aria-live")));
        Assert.Equal("2026-11-25T09:30:00.0000000+00:00", panel.Find("time").GetAttribute("datetime"));
        // Times say their zone, as everywhere in the app (the server cannot know the reader's).
        Assert.Equal("09:30 UTC", panel.Find("time").TextContent);
    }

    [Fact]
    public async Task Sending_clears_the_box_and_a_refusal_keeps_the_text_and_says_why()
    {
        var sent = new List<string>();
        var answer = (string?)null;
        var panel = RenderPanel([], text =>
        {
            sent.Add(text);
            return Task.FromResult(answer);
        });

        await panel.Find("#chat-message").InputAsync(new ChangeEventArgs { Value = "first" });
        await panel.Find("form").SubmitAsync();
        answer = "You are sending messages too fast. Wait a few seconds.";
        await panel.Find("#chat-message").InputAsync(new ChangeEventArgs { Value = "second" });
        await panel.Find("form").SubmitAsync();

        Assert.Equal(["first", "second"], sent);
        Assert.Equal("second", panel.Find("#chat-message").GetAttribute("value"));
        var problem = panel.Find("[data-testid=chat-problem]");
        Assert.Equal(answer, problem.TextContent);
        Assert.Equal("alert", problem.GetAttribute("role"));
    }

    [Fact]
    public async Task An_empty_box_sends_nothing()
    {
        var sent = 0;
        var panel = RenderPanel([], _ =>
        {
            sent++;
            return Task.FromResult<string?>(null);
        });

        await panel.Find("form").SubmitAsync();

        Assert.Equal(0, sent);
        Assert.True(panel.Find("[data-testid=chat-send]").HasAttribute("disabled"));
        Assert.Contains("No messages yet", panel.Markup, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain", new[] { "plain" })]
    [InlineData("a http://x.org/p, b", new[] { "a ", "[http://x.org/p]", ", b" })]
    [InlineData("(https://x.org/p)", new[] { "(", "[https://x.org/p]", ")" })]
    [InlineData("ftp://x.org and javascript:alert(1)", new[] { "ftp://x.org and javascript:alert(1)" })]
    public void Only_web_addresses_become_links(string text, string[] parts)
    {
        Assert.Equal(parts, ChatText.Parts(text).Select(p => p.Link is null ? p.Text : $"[{p.Text}]"));
    }
}
