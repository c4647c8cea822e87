using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OpenViduServerSide.Features.Accounts;
using OpenViduServerSide.Features.Calls;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Calls;

/// <summary>What the call view shows for each role and state. The view renders a CallViewModel; JS is strict for our module.</summary>
public sealed class CallViewTests : MudTestContext
{
    private static readonly VideoTile AliceCamera = new("str_CAM_aaaa_con_A", "con_A", "Alice", "publisher1", IsScreen: false, IsLocal: true, true, true);
    private static readonly VideoTile BobCamera = new("str_CAM_bbbb_con_B", "con_B", "Bob", "publisher2", IsScreen: false, IsLocal: false, false, true);
    private static readonly VideoTile BobScreen = new("str_SCR_cccc_con_C", "con_C", "Bob", "publisher2", IsScreen: true, IsLocal: false, false, true);

    public CallViewTests()
    {
        var module = JSInterop.SetupModule(OpenViduInterop.ModulePath);
        module.Mode = JSRuntimeMode.Strict;
        module.SetupVoid("attachVideo", _ => true).SetVoidResult();
        module.SetupVoid("detachVideo", _ => true).SetVoidResult();
        module.SetupVoid("leave").SetVoidResult();
        Services.AddScoped<OpenViduInterop>();
        // The participant list reads the directory; here it is empty, which is all these tests need of it.
        var directory = InMemoryDirectory.Create();
        Services.AddSingleton(directory);
        var moderation = new OpenViduServerSide.Features.Moderation.CallModeration(directory, null!, null!, null!, TimeProvider.System, NullLogger<OpenViduServerSide.Features.Moderation.CallModeration>.Instance);
        Services.AddSingleton(moderation);
        AddAuthorization().SetAuthorized("alice");
        // The recording control asks OpenVidu whether it records: here it does not, so only the indicator could show.
        Services.AddSingleton(new OpenViduServerSide.Features.Recordings.CallRecordings(moderation, directory,
            StubOpenVidu.Client(_ => (System.Net.HttpStatusCode.OK, StubOpenVidu.RecordingOff)), null!, null!, TimeProvider.System,
            NullLogger<OpenViduServerSide.Features.Recordings.CallRecordings>.Instance));
    }

    private static CallViewModel InCall(string role, params VideoTile[] tiles) => CallViewModel.Empty with
    {
        Phase = CallPhase.InCall,
        SessionName = "TUTORIAL",
        Role = role,
        Tiles = [.. tiles],
        MicrophoneOn = tiles.Any(t => t.IsLocal),
        CameraOn = tiles.Any(t => t.IsLocal),
    };

    [Theory]
    [InlineData(Roles.Publisher)]
    [InlineData(Roles.Moderator)]
    public void Publishers_and_moderators_get_their_camera_and_every_control(string role)
    {
        var view = Render<CallView>(p => p.Add(v => v.View, InCall(role, AliceCamera, BobCamera)));

        Assert.Equal("TUTORIAL", view.Find("[data-testid=call-title]").TextContent);
        Assert.Equal(role, view.Find("[data-testid=my-role]").TextContent.Trim());
        Assert.NotNull(view.Find("[data-testid=toggle-mic]"));
        Assert.NotNull(view.Find("[data-testid=toggle-camera]"));
        Assert.NotNull(view.Find("[data-testid=toggle-screen]"));
        Assert.Empty(view.FindAll("[data-testid=subscriber-placeholder]"));
        var grid = view.Find("[data-testid=video-grid]");
        Assert.Equal(["Bob", "Alice"], grid.QuerySelectorAll("[data-testid=tile-nickname]").Select(e => e.TextContent));
        Assert.Equal(["publisher2", "publisher1 (you)"], grid.QuerySelectorAll("[data-testid=tile-username]").Select(e => e.TextContent));
    }

    [Fact]
    public void A_subscriber_sees_the_placeholder_and_no_publishing_controls()
    {
        var view = Render<CallView>(p => p.Add(v => v.View, InCall(Roles.Subscriber, BobCamera)));

        Assert.Contains("lets you see and hear the call, but not publish", view.Find("[data-testid=subscriber-placeholder]").TextContent, StringComparison.Ordinal);
        Assert.Empty(view.FindAll("[data-testid=toggle-mic]"));
        Assert.Empty(view.FindAll("[data-testid=toggle-screen]"));
        Assert.NotNull(view.Find("[data-testid=leave]"));
    }

    private static string? MainStreamId(IRenderedComponent<CallView> view) =>
        view.FindAll("[data-testid=main-video] [data-testid=video-tile]").SingleOrDefault()?.GetAttribute("data-stream-id");

    private static string?[] StripStreamIds(IRenderedComponent<CallView> view) =>
        [.. view.FindAll("[data-testid=video-strip] [data-testid=video-tile]").Select(e => e.GetAttribute("data-stream-id"))];

    [Fact]
    public void Alone_my_camera_is_shown_once_as_the_main_video()
    {
        var view = Render<CallView>(p => p.Add(v => v.View, InCall(Roles.Publisher, AliceCamera)));

        Assert.Single(view.FindAll("[data-testid=video-tile]"));
        Assert.Equal(AliceCamera.StreamId, MainStreamId(view));
        Assert.Empty(view.FindAll("[data-testid=video-strip]"));
    }

    [Fact]
    public void The_speaker_layout_shows_someone_else_big_and_me_in_the_strip_each_once()
    {
        var view = Render<CallView>(p => p.Add(v => v.View, InCall(Roles.Publisher, AliceCamera, BobCamera)));

        Assert.Equal(BobCamera.StreamId, MainStreamId(view));
        Assert.Equal([AliceCamera.StreamId], StripStreamIds(view));
        Assert.Equal(2, view.FindAll("[data-testid=video-tile]").Count);
        Assert.Equal("speaker", view.Find("[data-testid=video-grid]").GetAttribute("data-layout"));
        Assert.Equal("true", view.Find("[data-testid=layout-speaker]").GetAttribute("aria-pressed"));
        Assert.Equal("Main video fullscreen", view.Find("[data-testid=main-video] [data-testid=fullscreen]").GetAttribute("aria-label"));
    }

    [Fact]
    public void A_shared_screen_takes_the_main_area_and_the_cameras_go_to_the_strip()
    {
        var view = Render<CallView>(p => p.Add(v => v.View, InCall(Roles.Publisher, AliceCamera, BobCamera, BobScreen)));

        Assert.Equal(BobScreen.StreamId, MainStreamId(view));
        Assert.Equal([AliceCamera.StreamId, BobCamera.StreamId], StripStreamIds(view));
        Assert.Equal("presenting", view.Find("[data-testid=video-grid]").GetAttribute("data-layout"));
    }

    [Fact]
    public void The_newest_screen_is_main_and_another_can_be_chosen()
    {
        var carolScreen = BobScreen with { StreamId = "str_SCR_dddd_con_D", ConnectionId = "con_D", Nickname = "Carol", UserName = "publisher3" };
        var model = InCall(Roles.Publisher, AliceCamera, BobScreen, carolScreen);

        var view = Render<CallView>(p => p.Add(v => v.View, model));
        var newest = MainStreamId(view);
        view.Render(p => p.Add(v => v.View, model with { MainStreamId = BobScreen.StreamId }));

        Assert.Equal(carolScreen.StreamId, newest);
        Assert.Equal(BobScreen.StreamId, MainStreamId(view));
        Assert.Equal([AliceCamera.StreamId, carolScreen.StreamId], StripStreamIds(view));
    }

    [Fact]
    public void The_grid_shows_every_video_the_same_size_until_someone_shares_a_screen()
    {
        var grid = InCall(Roles.Publisher, AliceCamera, BobCamera) with { Layout = CallLayout.Grid };

        var view = Render<CallView>(p => p.Add(v => v.View, grid));
        var inGrid = StripStreamIds(view);
        var mainInGrid = view.FindAll("[data-testid=main-video]").Count;
        var fullscreenLabel = view.Find("[data-testid=fullscreen]").GetAttribute("aria-label");
        view.Render(p => p.Add(v => v.View, grid with { Tiles = grid.Tiles.Add(BobScreen) }));

        Assert.Equal([AliceCamera.StreamId, BobCamera.StreamId], inGrid);
        Assert.Equal(0, mainInGrid);
        Assert.Equal("Videos fullscreen", fullscreenLabel);
        Assert.Equal("true", view.Find("[data-testid=layout-grid]").GetAttribute("aria-pressed"));
        Assert.Equal(BobScreen.StreamId, MainStreamId(view));
    }

    [Fact]
    public async Task The_layout_buttons_ask_for_their_layout()
    {
        var asked = new List<CallLayout>();
        var view = Render<CallView>(p => p
            .Add(v => v.View, InCall(Roles.Publisher, AliceCamera))
            .Add(v => v.OnLayout, layout => asked.Add(layout)));

        await view.Find("[data-testid=layout-grid]").ClickAsync();
        await view.Find("[data-testid=layout-speaker]").ClickAsync();

        Assert.Equal([CallLayout.Grid, CallLayout.Speaker], asked);
        Assert.Equal("Layout", view.Find("[data-testid=layout-grid]").ParentElement?.Closest("[role=group]")?.GetAttribute("aria-label"));
    }

    [Fact]
    public void Screens_are_captioned_as_whose_screen_they_are_and_cameras_by_name()
    {
        var myScreen = BobScreen with { StreamId = "str_SCR_eeee_con_E", ConnectionId = "con_E", Nickname = "Alice", UserName = "publisher1", IsLocal = true };
        var model = InCall(Roles.Publisher, AliceCamera, BobCamera, myScreen, BobScreen);

        var view = Render<CallView>(p => p.Add(v => v.View, model));
        var tile = (string streamId) => view.Find($"[data-stream-id={streamId}][data-testid=video-tile]");

        Assert.Equal("Bob's screen", tile(BobScreen.StreamId).QuerySelector("[data-testid=tile-nickname]")?.TextContent);
        Assert.Equal("Bob's screen, shown as main video", tile(BobScreen.StreamId).GetAttribute("aria-label"));
        Assert.NotNull(tile(BobScreen.StreamId).QuerySelector("[role=img][aria-label='Shared screen']"));
        Assert.Equal("Your screen", tile(myScreen.StreamId).QuerySelector("[data-testid=tile-nickname]")?.TextContent);
        Assert.Equal("Your screen, show as main video", tile(myScreen.StreamId).GetAttribute("aria-label"));
        Assert.Equal("Bob", tile(BobCamera.StreamId).QuerySelector("[data-testid=tile-nickname]")?.TextContent);
        Assert.Equal("Bob, show as main video", tile(BobCamera.StreamId).GetAttribute("aria-label"));
        Assert.Null(tile(BobCamera.StreamId).QuerySelector("[aria-label='Shared screen']"));
    }

    [Fact]
    public void The_chosen_main_video_is_shown_big()
    {
        // Bob would be the main video by default; the person chose their own camera.
        var model = InCall(Roles.Publisher, AliceCamera, BobCamera) with { MainStreamId = AliceCamera.StreamId };

        var view = Render<CallView>(p => p.Add(v => v.View, model));

        Assert.Equal(AliceCamera.StreamId, MainStreamId(view));
        Assert.Equal([BobCamera.StreamId], StripStreamIds(view));
    }

    [Fact]
    public async Task Controls_raise_their_callbacks()
    {
        var raised = new List<string>();
        var view = Render<CallView>(p => p
            .Add(v => v.View, InCall(Roles.Publisher, AliceCamera))
            .Add(v => v.OnToggleMicrophone, () => raised.Add("mic"))
            .Add(v => v.OnToggleCamera, () => raised.Add("camera"))
            .Add(v => v.OnToggleScreenShare, () => raised.Add("screen"))
            .Add(v => v.OnLeave, () => raised.Add("leave")));

        await view.Find("[data-testid=toggle-mic]").ClickAsync();
        await view.Find("[data-testid=toggle-camera]").ClickAsync();
        await view.Find("[data-testid=toggle-screen]").ClickAsync();
        await view.Find("[data-testid=leave]").ClickAsync();

        Assert.Equal(["mic", "camera", "screen", "leave"], raised);
    }

    [Fact]
    public void Muted_state_is_shown_on_the_buttons_for_screen_readers()
    {
        var model = InCall(Roles.Publisher, AliceCamera with { AudioActive = false }) with { MicrophoneOn = false };

        var view = Render<CallView>(p => p.Add(v => v.View, model));

        var mic = view.Find("[data-testid=toggle-mic]");
        Assert.Equal("Unmute microphone", mic.GetAttribute("aria-label"));
        Assert.Equal("true", mic.GetAttribute("aria-pressed"));
    }

    [Theory]
    [InlineData(NoticeLevel.Error, "mud-alert-text-error", "alert", "assertive")]
    [InlineData(NoticeLevel.Warning, "mud-alert-text-warning", "alert", "assertive")]
    [InlineData(NoticeLevel.Info, "mud-alert-text-info", "status", "polite")]
    public void A_notice_is_shown_with_its_severity_and_announced_to_screen_readers(NoticeLevel level, string cssClass, string role, string live)
    {
        var model = InCall(Roles.Publisher) with { Notice = new CallNotice(level, "Something to know") };

        var view = Render<CallView>(p => p.Add(v => v.View, model));

        var alert = view.Find("[data-testid=call-notice]");
        Assert.Contains("Something to know", alert.TextContent, StringComparison.Ordinal);
        Assert.Contains(cssClass, alert.ClassName, StringComparison.Ordinal);
        Assert.Equal(role, alert.GetAttribute("role"));
        Assert.Equal(live, alert.GetAttribute("aria-live"));
    }
}
