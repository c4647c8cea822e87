using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace OpenViduServerSide.Features.Calls;

/// <summary>Shapes exchanged with wwwroot/js/openvidu-interop.js.</summary>
/// <summary>Connected (ConnectionId) or not (Error); when connected, the camera stream or why it could not be published.</summary>
public sealed record JoinResult(string? ConnectionId, string? StreamId, JsError? PublishError, JsError? Error);

public sealed record ScreenShareResult(string? ConnectionId, string? StreamId, JsError? Error);

public sealed record JsError(string Name, string Message);

public sealed record StreamInfo(
    string StreamId,
    string ConnectionId,
    string ConnectionData,
    string TypeOfVideo,
    bool HasAudio,
    bool HasVideo,
    bool AudioActive,
    bool VideoActive);

/// <summary>
/// C# face of the openvidu-interop.js module: one per circuit, imported on first use, disposed with the circuit.
/// It translates calls only; <see cref="CallState"/> decides what to do.
/// </summary>
public sealed class OpenViduInterop(IJSRuntime js) : IAsyncDisposable
{
    public const string ModulePath = "./js/openvidu-interop.js";

    private Task<IJSObjectReference>? module;

    private Task<IJSObjectReference> Module => module ??= js.InvokeAsync<IJSObjectReference>("import", ModulePath).AsTask();

    public async Task<JoinResult> JoinAsync(DotNetObjectReference<CallState> callback, string token, string metadata, bool publish) =>
        await (await Module).InvokeAsync<JoinResult>("join", callback, token, metadata, publish);

    public async Task<ScreenShareResult> ShareScreenAsync(string token, string metadata) =>
        await (await Module).InvokeAsync<ScreenShareResult>("shareScreen", token, metadata);

    public async Task StopScreenAsync() => await (await Module).InvokeVoidAsync("stopScreen");

    public async Task SetMicrophoneAsync(bool on) => await (await Module).InvokeVoidAsync("setMicrophone", on);

    public async Task SetCameraAsync(bool on) => await (await Module).InvokeVoidAsync("setCamera", on);

    public async Task AttachVideoAsync(string streamId, ElementReference video) => await (await Module).InvokeVoidAsync("attachVideo", streamId, video);

    public async Task DetachVideoAsync(string streamId) => await (await Module).InvokeVoidAsync("detachVideo", streamId);

    public async Task LeaveAsync() => await (await Module).InvokeVoidAsync("leave");

    public async ValueTask DisposeAsync()
    {
        if (module is null)
        {
            return;
        }

        try
        {
            var loaded = await module;
            await loaded.InvokeVoidAsync("leave");
            await loaded.DisposeAsync();
        }
        catch (Exception e) when (e is JSDisconnectedException or JSException or TaskCanceledException or ObjectDisposedException)
        {
            // The tab is gone; the browser has released its media already.
        }
    }
}
