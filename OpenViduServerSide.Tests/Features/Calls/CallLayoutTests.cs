using Bunit;
using OpenViduServerSide.Features.Calls;

namespace OpenViduServerSide.Tests.Features.Calls;

/// <summary>The layout the person chooses and what a new share does to it, with the real server side and a scripted browser.</summary>
public sealed class CallLayoutTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private const string BobData = "{\"clientData\":\"Bob\"}%/%{\"serverData\":\"publisher2\",\"kind\":\"camera\"}";
    private const string BobScreenData = "{\"clientData\":\"Bob\"}%/%{\"serverData\":\"publisher2\",\"kind\":\"screen\"}";
    private const string BobCamera = "str_CAM_Bbbb_con_B";
    private const string BobScreen = "str_SCR_Bsss_con_BS";

    private static string? MainStreamId(IRenderedComponent<CallPage> page) =>
        page.FindAll("[data-testid=main-video] [data-testid=video-tile]").SingleOrDefault()?.GetAttribute("data-stream-id");

    [Fact]
    public async Task A_new_share_comes_to_the_front_even_over_a_chosen_video()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        var page = await h.AliceInTutorialAsync();
        await page.InvokeAsync(() => h.Call.OnStreamCreated(new StreamInfo(BobCamera, "con_B", BobData, "CAMERA", true, true)));
        page.WaitForAssertion(() => Assert.Equal(BobCamera, MainStreamId(page)), Wait);

        // Alice picks her own camera from the strip, then Bob starts sharing.
        await page.Find($"[data-testid=video-strip] [data-stream-id={CallHarness.AliceCamera}]").ClickAsync();
        var chosen = MainStreamId(page);
        await page.InvokeAsync(() => h.Call.OnStreamCreated(new StreamInfo(BobScreen, "con_BS", BobScreenData, "SCREEN", false, true)));

        Assert.Equal(CallHarness.AliceCamera, chosen);
        page.WaitForAssertion(() => Assert.Equal(BobScreen, MainStreamId(page)), Wait);
        Assert.Equal("presenting", page.Find("[data-testid=video-grid]").GetAttribute("data-layout"));

        // The share ends: back to the speaker layout, Bob rather than Alice herself.
        await page.InvokeAsync(() => h.Call.OnStreamDestroyed(BobScreen, "unpublish"));
        page.WaitForAssertion(() => Assert.Equal(BobCamera, MainStreamId(page)), Wait);
    }

    [Fact]
    public async Task The_chosen_layout_holds_for_the_next_call_and_a_tile_clicked_in_the_grid_becomes_the_speaker()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        var page = await h.AliceInTutorialAsync();
        await page.Find("[data-testid=layout-grid]").ClickAsync();
        page.WaitForAssertion(() => Assert.Equal("grid", page.Find("[data-testid=video-grid]").GetAttribute("data-layout")), Wait);

        await page.Find("[data-testid=leave]").ClickAsync();
        page.WaitForElement("[data-testid=join-button]", Wait);
        h.BrowserJoins(new JoinResult("con_fromBrowser2", null, new CameraPublished(CallHarness.AliceCamera, null)));
        await CallHarness.FillAndJoinAsync(page, "TUTORIAL", "Alice");
        page.WaitForElement("[data-testid=call-title]", Wait);

        Assert.Equal("grid", page.Find("[data-testid=video-grid]").GetAttribute("data-layout"));
        Assert.Equal("true", page.Find("[data-testid=layout-grid]").GetAttribute("aria-pressed"));
        Assert.Empty(page.FindAll("[data-testid=main-video]"));

        await page.Find($"[data-testid=video-strip] [data-stream-id={CallHarness.AliceCamera}]").ClickAsync();
        page.WaitForAssertion(() => Assert.Equal(CallHarness.AliceCamera, MainStreamId(page)), Wait);
        Assert.Equal("true", page.Find("[data-testid=layout-speaker]").GetAttribute("aria-pressed"));
    }
}
