using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using OpenViduServerSide.Features.Calls;

namespace OpenViduServerSide.Tests.Features.Calls;

/// <summary>The pre-join's choice on its way to the browser's join, and the device switch in the call: the call page with the real server side and a scripted browser.</summary>
public sealed class PreJoinCallTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task The_choice_reaches_join_and_the_buttons_and_tile_show_what_the_browser_published()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        h.BrowserJoins(new JoinResult("con_fromBrowser", null, new CameraPublished(CallHarness.AliceCamera, null, AudioActive: false, VideoActive: true)));
        var page = h.RenderPage();
        page.WaitForAssertion(() => h.Module.VerifyInvoke("startPreview"), Wait);

        await page.Find("[data-testid=microphone-on] input").ChangeAsync(new ChangeEventArgs { Value = false });
        page.WaitForAssertion(() => Assert.Equal(2, h.Module.Invocations["startPreview"].Count), Wait);
        await CallHarness.FillAndJoinAsync(page, "TUTORIAL", "Alice");

        page.WaitForElement("[data-testid=call-title]", Wait);
        var join = h.Module.VerifyInvoke("join");
        Assert.Equal(true, join.Arguments[3]);
        Assert.Equal(new JoinMedia(UseCamera: true, "cam-1", CameraOn: true, UseMicrophone: true, "mic-1", MicrophoneOn: false), join.Arguments[4]);
        Assert.Equal("Unmute microphone", page.Find("[data-testid=toggle-mic]").GetAttribute("aria-label"));
        Assert.Equal("Turn camera off", page.Find("[data-testid=toggle-camera]").GetAttribute("aria-label"));
        Assert.False(h.Call.View.Tiles[0].AudioActive);
        Assert.True(h.Call.View.Tiles[0].VideoActive);
    }

    [Fact]
    public async Task A_person_whose_devices_all_failed_joins_without_publishing_and_is_told_why_there_is_no_camera()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        h.Module.Setup<PreviewResult>("startPreview", _ => true).SetResult(new PreviewResult(DeviceList.None,
            new JsError("NotAllowedError", "Permission denied"), new JsError("NotAllowedError", "Permission denied")));
        h.BrowserJoins(new JoinResult("con_fromBrowser", null));
        var page = h.RenderPage();
        page.WaitForAssertion(() => Assert.Equal("Join without camera and microphone", page.Find("[data-testid=join-button]").TextContent.Trim()), Wait);

        await CallHarness.FillAndJoinAsync(page, "TUTORIAL", "Alice");

        page.WaitForAssertion(() => Assert.Equal(CallMessages.JoinedWithoutDevices, page.Find("[data-testid=call-notice]").TextContent.Trim()), Wait);
        Assert.Equal(false, h.Module.VerifyInvoke("join").Arguments[3]);
        Assert.Equal("PUBLISHER", Assert.Single(h.ConnectionsAt("TUTORIAL")).Role);
    }

    [Fact]
    public async Task A_SUBSCRIBER_chooses_no_devices()
    {
        await using var h = await CallHarness.StartAsync("subscriber", "SUBSCRIBER");
        h.BrowserJoins(new JoinResult("con_fromBrowser", null));
        var page = h.RenderPage();

        await CallHarness.FillAndJoinAsync(page, "TUTORIAL", "Bob");

        page.WaitForElement("[data-testid=subscriber-placeholder]", Wait);
        Assert.Empty(h.Module.Invocations["startPreview"]);
        Assert.Empty(h.Module.Invocations["readDeviceChoice"]);
    }

    [Fact]
    public async Task A_device_that_cannot_be_switched_to_is_explained_and_a_switched_one_is_kept_for_a_rejoin()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        var page = await h.AliceInTutorialAsync();
        h.Module.Setup<DeviceList>("switchDevice", i => (string)i.Arguments[1]! == "cam-gone").SetException(new JSException("NotFoundError: Requested device not found"));
        h.Module.Setup<DeviceList>("switchDevice", i => (string)i.Arguments[1]! == "cam-2").SetResult(CallHarness.OneOfEach with { CameraId = "cam-2" });

        await page.InvokeAsync(() => h.Call.SwitchDeviceAsync(DeviceKind.Camera, "cam-gone"));

        page.WaitForAssertion(() => Assert.Equal(CallMessages.DeviceNotSwitched("camera"), page.Find("[data-testid=call-notice]").TextContent.Trim()), Wait);
        Assert.Equal("video", h.Module.VerifyInvoke("switchDevice").Arguments[0]);
        Assert.True(h.Call.View.CameraOn);

        await page.InvokeAsync(() => h.Call.SwitchDeviceAsync(DeviceKind.Camera, "cam-2"));
        await page.InvokeAsync(h.Call.LeaveAsync);
        await page.InvokeAsync(() => h.Call.JoinAsync("TUTORIAL", "Alice"));

        page.WaitForElement("[data-testid=call-title]", Wait);
        var rejoin = Assert.IsType<JoinMedia>(h.Module.Invocations["join"][1].Arguments[4]);
        Assert.Equal("cam-2", rejoin.CameraId);
    }
}
