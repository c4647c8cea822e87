using Bunit;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using OpenViduServerSide.Features.Admin;
using OpenViduServerSide.Features.Calls;
using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Tests.Features.Calls;

namespace OpenViduServerSide.Tests.Features.Moderation;

/// <summary>The live calls page and the moderation dialogs, on the real server side (directory, emulator).</summary>
public sealed class ModerationComponentTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IRenderedComponent<Bunit.Rendering.ContainerFragment> RenderWithDialogs<T>(CallHarness h) where T : IComponent =>
        h.Bunit.Render(builder =>
        {
            builder.OpenComponent<MudDialogProvider>(0);
            builder.CloseComponent();
            builder.OpenComponent<MudSnackbarProvider>(1);
            builder.CloseComponent();
            builder.OpenComponent<T>(2);
            builder.CloseComponent();
        });

    private static async Task<IssuedConnection> JoinedAsync(CallHarness h, string session, string user, string nickname)
    {
        var issued = await h.Issuer.IssueAsync(session, user, nickname, ConnectionKind.Camera, Ct);
        h.Directory.MarkJoined(session, issued.ConnectionId);
        return issued;
    }

    [Fact]
    public async Task The_live_calls_page_lists_calls_and_follows_the_directory()
    {
        await using var h = await CallHarness.StartAsync("admin", "Admin");
        var alice = await JoinedAsync(h, "Daily", "publisher1", "Alice");
        await JoinedAsync(h, "Daily", "subscriber", "Bob");

        var page = RenderWithDialogs<LiveCallsPage>(h);
        var before = page.FindAll("[data-testid=live-participant]").Select(r => r.GetAttribute("data-username")).ToArray();
        h.Directory.Forget("Daily", alice.ConnectionId, "disconnect");

        Assert.Equal(["publisher1", "subscriber"], before);
        page.WaitForAssertion(() => Assert.Equal(["subscriber"], page.FindAll("[data-testid=live-participant]").Select(r => r.GetAttribute("data-username"))), Wait);
    }

    [Fact]
    public async Task Cancelling_the_remove_dialog_removes_nobody_and_confirming_removes_and_says_so()
    {
        await using var h = await CallHarness.StartAsync("admin", "Admin");
        var bob = await JoinedAsync(h, "Daily", "publisher2", "Bob");
        var page = RenderWithDialogs<LiveCallsPage>(h);

        // The click's handler awaits the dialog, so the click completes only once the dialog is answered.
        var firstClick = page.Find("[data-testid=remove-person]").ClickAsync();
        page.WaitForAssertion(() => Assert.Contains("Remove Bob?", page.Markup, StringComparison.Ordinal), Wait);
        await page.FindAll(".mud-dialog-actions button").First(b => b.TextContent.Contains("Cancel", StringComparison.Ordinal)).ClickAsync();
        await firstClick.WaitAsync(Wait, Ct);
        page.WaitForAssertion(() => Assert.DoesNotContain("Remove Bob?", page.Markup, StringComparison.Ordinal), Wait);
        Assert.NotNull(h.Emulator.Controls.Snapshot().FindConnection(bob.ConnectionId));

        var secondClick = page.Find("[data-testid=remove-person]").ClickAsync();
        page.WaitForElement("#prompt-text", Wait);
        await page.Find("#prompt-text").InputAsync(new ChangeEventArgs { Value = "Spam" });
        await page.Find("[data-testid=prompt-confirm]").ClickAsync();
        await secondClick.WaitAsync(Wait, Ct);

        page.WaitForAssertion(() => Assert.Contains("Bob (publisher2) was removed from the call.", page.Markup, StringComparison.Ordinal), Wait);
        Assert.Null(h.Emulator.Controls.Snapshot().FindConnection(bob.ConnectionId));
        page.WaitForElement("[data-testid=no-live-calls]", Wait);
    }

    [Fact]
    public async Task A_message_needs_text_before_it_is_sent()
    {
        await using var h = await CallHarness.StartAsync("admin", "Admin");
        await JoinedAsync(h, "Daily", "publisher2", "Bob");
        var page = RenderWithDialogs<LiveCallsPage>(h);

        var click = page.Find("[data-testid=announce]").ClickAsync();
        page.WaitForElement("[data-testid=prompt-confirm]", Wait);
        await page.Find("[data-testid=prompt-confirm]").ClickAsync();

        Assert.Contains("Write something first.", page.Markup, StringComparison.Ordinal);
        Assert.False(click.IsCompleted);
    }

    [Theory]
    [InlineData("moderator", "MODERATOR", true)]
    [InlineData("publisher1", "PUBLISHER", false)]
    public async Task Only_a_moderator_in_the_call_gets_moderation_controls_in_the_participant_list(string user, string role, bool shown)
    {
        await using var h = await CallHarness.StartAsync(user, role);
        await JoinedAsync(h, "Daily", user, "Me");
        await JoinedAsync(h, "Daily", "publisher2", "Bob");

        var list = h.Bunit.Render<ParticipantList>(p => p.Add(l => l.SessionName, "Daily"));

        Assert.Equal(shown, list.FindAll("[data-testid=end-call]").Count == 1);
        Assert.Equal(shown ? 1 : 0, list.FindAll("[data-testid=remove-person]").Count);
    }

    [Fact]
    public async Task A_participant_list_holds_one_subscription_across_renders_and_a_change_of_call_and_none_after_it_goes()
    {
        await using var h = await CallHarness.StartAsync("publisher1", "PUBLISHER");
        var before = h.Directory.SubscriberCount;

        var list = h.Bunit.Render<ParticipantList>(p => p.Add(l => l.SessionName, "Daily"));
        for (var i = 0; i < 5; i++)
        {
            list.Render(p => p.Add(l => l.SessionName, "Daily"));
        }

        var whileShown = h.Directory.SubscriberCount;
        list.Render(p => p.Add(l => l.SessionName, "Other"));
        var afterSwitch = h.Directory.SubscriberCount;
        await h.Bunit.DisposeComponentsAsync();

        Assert.Equal(before + 1, whileShown);
        Assert.Equal(before + 1, afterSwitch);
        Assert.Equal(before, h.Directory.SubscriberCount);
    }
}
