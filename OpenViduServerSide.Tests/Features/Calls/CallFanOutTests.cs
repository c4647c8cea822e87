using Bunit;
using OpenViduServerSide.Features.Calls;
using OpenViduServerSide.Features.Directory;

namespace OpenViduServerSide.Tests.Features.Calls;

/// <summary>
/// A change in a call reaches every open page of it: each page must do work for the change alone, not re-render all
/// its tiles (which made one join cost N pages × N tiles).
/// </summary>
public sealed class CallFanOutTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Someone_joining_updates_the_list_without_re_rendering_the_tiles_and_a_raised_hand_still_does()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        var page = await h.AliceInTutorialAsync();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=participant]")), Wait);
        // A tile renders whenever the call view does (its VideoTile is a record, never skipped), and is not a parent
        // of the participant list, whose own renders bUnit counts for every ancestor.
        var view = page.FindComponent<UserVideo>();
        var rendersBefore = view.RenderCount;

        h.Directory.Issued("TUTORIAL", null, "con_BOB0000001", "publisher2", "Bob", "PUBLISHER", ConnectionKind.Camera);
        h.Directory.MarkJoined("TUTORIAL", "con_BOB0000001");

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=participant]").Count), Wait);
        Assert.Equal(rendersBefore, view.RenderCount);

        Assert.True(h.Directory.SetHand("TUTORIAL", "con_BOB0000001", raised: true));
        page.WaitForAssertion(() => Assert.True(view.RenderCount > rendersBefore), Wait);
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=participant-hand]")), Wait);
    }
}
