using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace OpenViduServerSide.Features.Calls;

// The devices half of the module (wwwroot/js/devices.js, re-exported by openvidu-interop.js): the pre-join's preview,
// meter and remembered choice, and the call's device switch. The same failure policy: false or null, logged once.
public sealed partial class OpenViduInterop
{
    /// <summary>The choice remembered by this browser, or null (none yet, or the browser could not say).</summary>
    public Task<DeviceChoice?> TryReadDeviceChoiceAsync() =>
        TryInvokeAsync("read the remembered devices", m => m.InvokeAsync<DeviceChoice?>("readDeviceChoice"));

    public Task<bool> TrySaveDeviceChoiceAsync(DeviceChoice choice) =>
        TryInvokeVoidAsync("remember the devices", m => m.InvokeVoidAsync("saveDeviceChoice", choice));

    /// <summary>
    /// Opens the chosen devices into the preview video and the level meter; null if the browser could not. It may wait
    /// for the person (the permission prompt), so like <see cref="TryJoinAsync"/> it is bounded only by the token.
    /// </summary>
    public Task<PreviewResult?> TryStartPreviewAsync(ElementReference video, ElementReference meter, DeviceChoice choice, CancellationToken cancellationToken) =>
        TryInvokeAsync("start the preview", m => m.InvokeAsync<PreviewResult>("startPreview", cancellationToken, [video, meter, choice]));

    public Task<bool> TryStopPreviewAsync() => TryInvokeVoidAsync("stop the preview", m => m.InvokeVoidAsync("stopPreview"));

    /// <summary>The browser's devices and the ones the call publishes; null if the browser could not say.</summary>
    public Task<DeviceList?> TryListCallDevicesAsync() =>
        TryInvokeAsync("list the devices", m => m.InvokeAsync<DeviceList>("callDevices"));

    /// <summary>Publishes another camera or microphone in place of the current one; null if the browser could not.</summary>
    public Task<DeviceList?> TrySwitchDeviceAsync(DeviceKind kind, string deviceId) =>
        TryInvokeAsync("switch a device", m => m.InvokeAsync<DeviceList>("switchDevice", kind == DeviceKind.Camera ? "video" : "audio", deviceId));
}
