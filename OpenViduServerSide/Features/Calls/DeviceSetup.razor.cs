using Microsoft.AspNetCore.Components;

namespace OpenViduServerSide.Features.Calls;

/// <summary>
/// The pre-join's devices. The remembered choice is read once the component is in the page; every change of device
/// or switch restarts the preview with the new choice. <see cref="Finish"/> remembers the choice and says what the call
/// should publish; the browser's join stops the preview (its camera light goes off before the call opens the camera).
/// </summary>
public sealed partial class DeviceSetup
{
    private readonly CancellationTokenSource disposed = new();
    private ElementReference video;
    private ElementReference meter;
    private DeviceChoice choice = DeviceChoice.Default;
    private DeviceList devices = DeviceList.None;
    private JsError? cameraError;
    private JsError? microphoneError;
    private bool previewFailed;
    private bool starting;

    [Inject] private OpenViduInterop Browser { get; set; } = null!;

    /// <summary>While joining: nothing can be changed.</summary>
    [Parameter] public bool Busy { get; set; }

    /// <summary>The nickname this browser used last time, once it is read.</summary>
    [Parameter] public EventCallback<string> OnNicknameRestored { get; set; }

    /// <summary>Called when what the devices allow changed (see <see cref="Missing"/>).</summary>
    [Parameter] public EventCallback OnChanged { get; set; }

    /// <summary>The devices the person will join without, in words ("camera", "microphone"), or empty.</summary>
    public IReadOnlyList<string> Missing => [.. Errors.Select(e => e.Device)];

    private IEnumerable<(string Device, JsError Error)> Errors
    {
        get
        {
            if (cameraError is not null)
            {
                yield return ("camera", cameraError);
            }

            if (microphoneError is not null)
            {
                yield return ("microphone", microphoneError);
            }
        }
    }

    private bool ShowsPicture => choice.CameraOn && cameraError is null && devices.CameraId is not null;

    private string PictureMissing => !choice.CameraOn ? "Your camera is off" : cameraError is not null ? "No camera picture" : "Starting the camera…";

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        if (await Browser.TryReadDeviceChoiceAsync() is { } remembered)
        {
            choice = remembered;
            if (!string.IsNullOrWhiteSpace(remembered.Nickname))
            {
                await OnNicknameRestored.InvokeAsync(remembered.Nickname);
            }
        }

        await StartPreviewAsync();
    }

    private async Task StartPreviewAsync()
    {
        if (disposed.IsCancellationRequested)
        {
            return;
        }

        starting = true;
        StateHasChanged();
        var result = await Browser.TryStartPreviewAsync(video, meter, choice, disposed.Token);
        starting = false;
        if (disposed.IsCancellationRequested)
        {
            return;
        }

        previewFailed = result is null;
        devices = result?.Devices ?? DeviceList.None;
        cameraError = result?.CameraError;
        microphoneError = result?.MicrophoneError;
        StateHasChanged();
        await OnChanged.InvokeAsync();
    }

    private Task RetryAsync() => StartPreviewAsync();

    private Task ChooseCameraAsync(string id) => ChangeAsync(choice with { CameraId = id });

    private Task ChooseMicrophoneAsync(string id) => ChangeAsync(choice with { MicrophoneId = id });

    private Task SwitchCameraAsync(bool on) => ChangeAsync(choice with { CameraOn = on });

    private Task SwitchMicrophoneAsync(bool on) => ChangeAsync(choice with { MicrophoneOn = on });

    private Task ChangeAsync(DeviceChoice changed)
    {
        choice = changed;
        return StartPreviewAsync();
    }

    /// <summary>
    /// Before joining: remembers the choice with the nickname and answers what to publish (the devices the preview could
    /// not open are left out; the chosen ones as the preview showed them). The browser is not waited for, so the token is
    /// minted meanwhile; its join stops the preview before it opens the call's camera.
    /// </summary>
    public JoinMedia Finish(string nickname)
    {
        var used = choice with
        {
            CameraId = devices.CameraId ?? choice.CameraId,
            MicrophoneId = devices.MicrophoneId ?? choice.MicrophoneId,
            Nickname = nickname,
        };
        _ = Browser.TrySaveDeviceChoiceAsync(used); // the browser's failure is logged; the choice is then only not remembered
        return JoinMedia.From(used, cameraWorks: cameraError is null, microphoneWorks: microphoneError is null);
    }

    /// <summary>The join did not happen (the form is back): show the preview again (the browser's join may have stopped it).</summary>
    public Task ResumeAsync() => StartPreviewAsync();

    public async ValueTask DisposeAsync()
    {
        await disposed.CancelAsync();
        await Browser.TryStopPreviewAsync();
        disposed.Dispose();
    }
}
