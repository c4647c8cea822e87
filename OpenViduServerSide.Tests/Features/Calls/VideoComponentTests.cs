using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using OpenViduServerSide.Features.Calls;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Calls;

public sealed class VideoComponentTests : MudTestContext
{
    private readonly BunitJSModuleInterop module;

    public VideoComponentTests()
    {
        module = JSInterop.SetupModule(OpenViduInterop.ModulePath);
        module.Mode = JSRuntimeMode.Strict;
        module.SetupVoid("attachVideo", _ => true).SetVoidResult();
        module.SetupVoid("detachVideo", _ => true).SetVoidResult();
        module.SetupVoid("leave").SetVoidResult();
        Services.AddScoped<OpenViduInterop>();
    }

    [Fact]
    public void OpenViduVideo_binds_its_stream_to_its_own_video_element_once()
    {
        var video = Render<OpenViduVideo>(p => p.Add(v => v.StreamId, "str_CAM_aaaa_con_A").Add(v => v.Muted, true));
        video.Render();

        var call = Assert.Single(module.Invocations["attachVideo"]);
        Assert.Equal("str_CAM_aaaa_con_A", call.Arguments[0]);
        Assert.IsType<ElementReference>(call.Arguments[1]);
        Assert.True(video.Find("video").HasAttribute("muted"));
        Assert.True(video.Find("video").HasAttribute("playsinline"));
    }

    [Fact]
    public async Task OpenViduVideo_binds_again_when_given_another_stream_and_lets_go_when_disposed()
    {
        var video = Render<OpenViduVideo>(p => p.Add(v => v.StreamId, "str_1"));

        video.Render(p => p.Add(v => v.StreamId, "str_2"));
        await DisposeComponentsAsync();

        Assert.Equal(["str_1", "str_2"], module.Invocations["attachVideo"].Select(i => (string)i.Arguments[0]!));
        Assert.Equal("str_2", module.VerifyInvoke("detachVideo").Arguments[0]);
    }

    [Fact]
    public void UserVideo_shows_nickname_user_name_and_muted_microphone()
    {
        var tile = new VideoTile("str_1", "con_1", "Alice", "publisher1", IsScreen: false, IsLocal: false, AudioActive: false, VideoActive: true);

        var rendered = Render<UserVideo>(p => p.Add(v => v.Tile, tile));

        Assert.Equal("Alice", rendered.Find("[data-testid=tile-nickname]").TextContent);
        Assert.Equal("publisher1", rendered.Find("[data-testid=tile-username]").TextContent);
        Assert.Contains("Microphone off", rendered.Markup, StringComparison.Ordinal);
        Assert.False(rendered.Find("video").HasAttribute("muted"));
    }

    [Fact]
    public void UserVideo_of_my_camera_is_muted_mirrored_and_says_you()
    {
        var tile = new VideoTile("str_1", "con_1", "Alice", "publisher1", IsScreen: false, IsLocal: true, AudioActive: true, VideoActive: false);

        var rendered = Render<UserVideo>(p => p.Add(v => v.Tile, tile));

        Assert.Equal("publisher1 (you)", rendered.Find("[data-testid=tile-username]").TextContent);
        Assert.True(rendered.Find("video").HasAttribute("muted"));
        Assert.Contains("mirrored", rendered.Find("video").ClassName, StringComparison.Ordinal);
        Assert.NotEmpty(rendered.FindAll(".camera-off"));
    }

    [Theory]
    [InlineData("click")]
    [InlineData("Enter")]
    [InlineData(" ")]
    public async Task UserVideo_asks_to_become_main_on_click_and_keyboard(string how)
    {
        string? selected = null;
        var tile = new VideoTile("str_9", "con_9", "Bob", "publisher2", false, false, true, true);
        var rendered = Render<UserVideo>(p => p.Add(v => v.Tile, tile).Add(v => v.OnSelect, (string id) => selected = id));

        var element = rendered.Find("[data-testid=video-tile]");
        if (how == "click")
        {
            await element.ClickAsync();
        }
        else
        {
            await element.KeyDownAsync(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = how });
        }

        Assert.Equal("str_9", selected);
        Assert.Equal("0", element.GetAttribute("tabindex"));
    }
}
