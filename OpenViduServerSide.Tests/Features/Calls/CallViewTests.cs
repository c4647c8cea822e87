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
        var moderation = new OpenViduServerSide.Features.Moderation.CallModeration(directory, null!, null!, TimeProvider.System, NullLogger<OpenViduServerSide.Features.Moderation.CallModeration>.Instance);
        Services.AddSingleton(moderation);
        AddAuthorization().SetAuthorized("alice");
        // The recording control asks OpenVidu whether it records: here it does not, so only the indicator could show.
        Services.AddSingleton(new OpenViduServerSide.Features.Recordings.CallRecordings(moderation, directory,
            StubOpenVidu.Client(_ => (System.Net.HttpStatusCode.OK, StubOpenVidu.RecordingOff)), null!, TimeProvider.System,
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
        Assert.Equal(["Alice", "Bob"], grid.QuerySelectorAll("[data-testid=tile-nickname]").Select(e => e.TextContent));
        Assert.Equal(["publisher1 (you)", "publisher2"], grid.QuerySelectorAll("[data-testid=tile-username]").Select(e => e.TextContent));
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

    [Fact]
    public void Screens_go_to_their_own_area_and_the_main_video_defaults_to_my_camera()
    {
        var view = Render<CallView>(p => p.Add(v => v.View, InCall(Roles.Publisher, AliceCamera, BobCamera, BobScreen)));

        var screens = view.Find("[data-testid=screen-area]");
        Assert.Equal(BobScreen.StreamId, screens.QuerySelector("[data-testid=video-tile]")?.GetAttribute("data-stream-id"));
        Assert.Equal(AliceCamera.StreamId, view.Find("[data-testid=main-video] [data-testid=video-tile]").GetAttribute("data-stream-id"));
        Assert.Equal(2, view.FindAll("[data-testid=video-grid] [data-testid=video-tile]").Count);
    }

    [Fact]
    public void The_chosen_main_video_is_shown_big()
    {
        var model = InCall(Roles.Publisher, AliceCamera, BobCamera) with { MainStreamId = BobCamera.StreamId };

        var view = Render<CallView>(p => p.Add(v => v.View, model));

        Assert.Equal(BobCamera.StreamId, view.Find("[data-testid=main-video] [data-testid=video-tile]").GetAttribute("data-stream-id"));
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
