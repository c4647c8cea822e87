using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using OpenViduServerSide.Features.Calls;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Calls;

/// <summary>The pre-join's devices inside the join form: what it restores, says and hands to the page. JS is strict for our module.</summary>
public sealed class DeviceSetupTests : MudTestContext
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly BunitJSModuleInterop module;

    public DeviceSetupTests()
    {
        module = JSInterop.SetupModule(OpenViduInterop.ModulePath);
        module.Mode = JSRuntimeMode.Strict;
        module.SetupVoid("saveDeviceChoice", _ => true).SetVoidResult();
        module.SetupVoid("stopPreview").SetVoidResult();
        module.SetupVoid("leave").SetVoidResult();
        Services.AddScoped<OpenViduInterop>();
    }

    private void Remembered(DeviceChoice? choice) => module.Setup<DeviceChoice>("readDeviceChoice").SetResult(choice!);

    private void PreviewAnswers(JsError? cameraError = null, JsError? microphoneError = null) =>
        module.Setup<PreviewResult>("startPreview", _ => true).SetResult(new PreviewResult(
            cameraError is null ? CallHarness.OneOfEach : CallHarness.OneOfEach with { CameraId = null },
            cameraError, microphoneError));

    private IRenderedComponent<JoinForm> RenderForm(Action<JoinRequest> onJoin, string? nickname = null) => Render<JoinForm>(p => p
        .Add(f => f.SessionName, "TUTORIAL")
        .Add(f => f.Nickname, nickname)
        .Add(f => f.WithDevices, true)
        .Add(f => f.OnJoin, onJoin));

    private static DeviceChoice PreviewedWith(JSRuntimeInvocation invocation) => Assert.IsType<DeviceChoice>(invocation.Arguments[2]);

    [Fact]
    public void Without_devices_the_form_touches_no_device()
    {
        var form = Render<JoinForm>(p => p.Add(f => f.SessionName, "TUTORIAL"));

        Assert.Empty(form.FindAll("[data-testid=device-setup]"));
        Assert.Empty(module.Invocations);
    }

    [Fact]
    public void The_remembered_choice_and_nickname_come_back_and_the_preview_opens_as_chosen()
    {
        Remembered(new DeviceChoice("cam-1", "mic-1", CameraOn: false, MicrophoneOn: true, Nickname: "Zoe"));
        PreviewAnswers();

        var form = RenderForm(_ => { });

        form.WaitForAssertion(() => Assert.Equal("Zoe", form.Find("#nickname").GetAttribute("value")), Wait);
        var preview = PreviewedWith(module.VerifyInvoke("startPreview"));
        Assert.False(preview.CameraOn);
        Assert.Equal("mic-1", preview.MicrophoneId);
        Assert.Contains("Your camera is off", form.Find("[data-testid=preview-off]").TextContent, StringComparison.Ordinal);
        Assert.Equal("progressbar", form.Find("[data-testid=mic-level]").GetAttribute("role"));
    }

    [Fact]
    public void A_nickname_the_page_gives_wins_over_the_remembered_one()
    {
        Remembered(DeviceChoice.Default with { Nickname = "Zoe" });
        PreviewAnswers();

        var form = RenderForm(_ => { }, nickname: "Alice");

        form.WaitForAssertion(() => module.VerifyInvoke("startPreview"), Wait);
        Assert.Equal("Alice", form.Find("#nickname").GetAttribute("value"));
    }

    [Fact]
    public async Task Turning_the_camera_off_restarts_the_preview_without_it_and_the_join_starts_it_off()
    {
        Remembered(null);
        PreviewAnswers();
        JoinRequest? joined = null;
        var form = RenderForm(r => joined = r);
        form.WaitForAssertion(() => module.VerifyInvoke("startPreview"), Wait);

        await form.Find("[data-testid=camera-on] input").ChangeAsync(new ChangeEventArgs { Value = false });

        form.WaitForAssertion(() => Assert.False(PreviewedWith(module.VerifyInvoke("startPreview", 2)[1]).CameraOn), Wait);
        await form.Find("form").SubmitAsync();
        Assert.NotNull(joined);
        Assert.Equal(new JoinMedia(UseCamera: true, "cam-1", CameraOn: false, UseMicrophone: true, "mic-1", MicrophoneOn: true), joined.Media);
    }

    [Fact]
    public async Task Joining_remembers_the_choice_with_the_nickname()
    {
        Remembered(null);
        PreviewAnswers();
        var form = RenderForm(_ => { });
        form.WaitForAssertion(() => module.VerifyInvoke("startPreview"), Wait);
        await form.Find("#nickname").ChangeAsync(new ChangeEventArgs { Value = " Alice " });

        await form.Find("form").SubmitAsync();

        var saved = Assert.IsType<DeviceChoice>(module.VerifyInvoke("saveDeviceChoice").Arguments[0]);
        Assert.Equal(new DeviceChoice("cam-1", "mic-1", CameraOn: true, MicrophoneOn: true, Nickname: "Alice"), saved);
    }

    [Fact]
    public async Task The_join_goes_on_while_the_browser_is_still_remembering_the_choice()
    {
        Remembered(null);
        PreviewAnswers();
        var saving = module.SetupVoid("saveDeviceChoice", _ => true); // the browser has not answered yet
        JoinRequest? joined = null;
        var form = RenderForm(r => joined = r);
        form.WaitForAssertion(() => module.VerifyInvoke("startPreview"), Wait);

        var submitted = form.Find("form").SubmitAsync();

        // The token is minted meanwhile (the browser's join stops the preview before it opens the call's camera).
        form.WaitForAssertion(() => Assert.NotNull(joined), Wait);
        saving.SetVoidResult();
        await submitted;
    }

    [Fact]
    public async Task A_blocked_camera_is_explained_and_the_person_joins_without_it()
    {
        Remembered(null);
        PreviewAnswers(cameraError: new JsError("NotAllowedError", "Permission denied"));
        JoinRequest? joined = null;
        var form = RenderForm(r => joined = r);

        form.WaitForAssertion(() => Assert.Contains("Your browser blocked the camera.", form.Find("[data-testid=device-error]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Equal("alert", form.Find("[data-testid=device-error]").GetAttribute("role"));
        Assert.Equal("Join without camera", form.Find("[data-testid=join-button]").TextContent.Trim());
        await form.Find("form").SubmitAsync();

        Assert.NotNull(joined);
        Assert.False(joined.Media.UseCamera);
        Assert.True(joined.Media.UseMicrophone);
        Assert.True(joined.Media.PublishesAnything);
    }

    [Fact]
    public async Task With_neither_device_the_person_joins_to_watch_and_may_try_again()
    {
        Remembered(null);
        PreviewAnswers(new JsError("NotFoundError", "Requested device not found"), new JsError("NotReadableError", "Could not start audio source"));
        JoinRequest? joined = null;
        var form = RenderForm(r => joined = r);

        form.WaitForAssertion(() => Assert.Equal(2, form.FindAll("[data-testid=device-error]").Count), Wait);
        Assert.Contains("No camera was found.", form.Markup, StringComparison.Ordinal);
        Assert.Contains("Your microphone could not be started", form.Markup, StringComparison.Ordinal);
        Assert.Equal("Join without camera and microphone", form.Find("[data-testid=join-button]").TextContent.Trim());

        await form.Find("[data-testid=device-retry]").ClickAsync();
        form.WaitForAssertion(() => Assert.Equal(2, module.Invocations["startPreview"].Count), Wait);

        await form.Find("form").SubmitAsync();
        Assert.NotNull(joined);
        Assert.False(joined.Media.PublishesAnything);
    }

    [Fact]
    public void A_preview_the_browser_could_not_start_still_lets_the_person_join()
    {
        Remembered(null);
        module.Setup<PreviewResult>("startPreview", _ => true).SetException(new Microsoft.JSInterop.JSException("getUserMedia is not a function"));

        var form = RenderForm(_ => { });

        form.WaitForAssertion(() => Assert.Contains(CallMessages.PreviewDidNotStart, form.Find("[data-testid=device-error]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Equal("Join", form.Find("[data-testid=join-button]").TextContent.Trim());
    }

    [Fact]
    public async Task Leaving_the_page_stops_the_preview()
    {
        Remembered(null);
        PreviewAnswers();
        var form = RenderForm(_ => { });
        form.WaitForAssertion(() => module.VerifyInvoke("startPreview"), Wait);

        await DisposeComponentsAsync();

        module.VerifyInvoke("stopPreview");
    }
}
