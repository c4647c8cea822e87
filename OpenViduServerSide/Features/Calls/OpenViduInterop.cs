using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace OpenViduServerSide.Features.Calls;

/// <summary>Shapes exchanged with wwwroot/js/openvidu-interop.js.</summary>
/// <summary>Connected (ConnectionId) or not (Error); when connected, the camera stream or why it could not be published.</summary>
public sealed record JoinResult(string? ConnectionId, string? StreamId, JsError? PublishError, JsError? Error);

public sealed record ScreenShareResult(string? ConnectionId, string? StreamId, JsError? Error);

public sealed record JsError(string Name, string Message);

/// <param name="IsLocal">This tab's own stream (its screen share, seen through the camera connection).</param>
public sealed record StreamInfo(
    string StreamId,
    string ConnectionId,
    string ConnectionData,
    string TypeOfVideo,
    bool HasAudio,
    bool HasVideo,
    bool AudioActive,
    bool VideoActive,
    bool IsLocal = false);

/// <summary>
/// The browser did not do what was asked: the tab is gone (<see cref="JSDisconnectedException"/>), the script failed
/// (<see cref="JSException"/>) or the call was given up (<see cref="OperationCanceledException"/>). The one exception
/// type <see cref="OpenViduInterop"/> turns every browser failure into, so <see cref="CallState"/> handles them in one place.
/// </summary>
public sealed class BrowserCallException(string operation, Exception inner)
    : Exception($"The browser failed to {operation}: {inner?.Message}", inner)
{
    public string Operation { get; } = operation;
}

/// <summary>
/// C# face of the openvidu-interop.js module: one per circuit, imported on first use, disposed with the circuit.
/// It translates calls only; <see cref="CallState"/> decides what to do. Every call fails with
/// <see cref="BrowserCallException"/> and nothing else from the JS side (as MudBlazor's IJSRuntimeExtensions keep one policy).
/// </summary>
public sealed class OpenViduInterop(IJSRuntime js) : IAsyncDisposable
{
    public const string ModulePath = "./js/openvidu-interop.js";

    private Task<IJSObjectReference>? module;

    private Task<IJSObjectReference> Module => module ??= js.InvokeAsync<IJSObjectReference>("import", ModulePath).AsTask();

    /// <summary>
    /// Connects and publishes the camera. The browser may wait for a person here (the camera and microphone prompt), so
    /// the call is bounded only by <paramref name="cancellationToken"/>: the overloads without a token would apply
    /// Blazor Server's JSInteropDefaultCallTimeout (1 minute) and give up on a person who is still deciding.
    /// </summary>
    public Task<JoinResult> JoinAsync(DotNetObjectReference<CallState> callback, string token, string metadata, bool publish, CancellationToken cancellationToken) =>
        CallAsync("join", m => m.InvokeAsync<JoinResult>("join", cancellationToken, [callback, token, metadata, publish]));

    /// <summary>Shares the screen. Waits for the screen picker, so like <see cref="JoinAsync"/> it has no default timeout.</summary>
    public Task<ScreenShareResult> ShareScreenAsync(string token, string metadata, CancellationToken cancellationToken) =>
        CallAsync("share the screen", m => m.InvokeAsync<ScreenShareResult>("shareScreen", cancellationToken, [token, metadata]));

    public Task StopScreenAsync() => CallAsync("stop the screen share", m => m.InvokeVoidAsync("stopScreen"));

    public Task SetMicrophoneAsync(bool on) => CallAsync("switch the microphone", m => m.InvokeVoidAsync("setMicrophone", on));

    public Task SetCameraAsync(bool on) => CallAsync("switch the camera", m => m.InvokeVoidAsync("setCamera", on));

    public Task AttachVideoAsync(string streamId, ElementReference video) => CallAsync("show a video", m => m.InvokeVoidAsync("attachVideo", streamId, video));

    public Task DetachVideoAsync(string streamId) => CallAsync("hide a video", m => m.InvokeVoidAsync("detachVideo", streamId));

    public Task LeaveAsync() => CallAsync("leave", m => m.InvokeVoidAsync("leave"));

    private async Task CallAsync(string operation, Func<IJSObjectReference, ValueTask> call)
    {
        var loaded = await LoadAsync(operation);
        try
        {
            await call(loaded);
        }
        catch (Exception e) when (IsBrowserFailure(e))
        {
            throw new BrowserCallException(operation, e);
        }
    }

    private async Task<T> CallAsync<T>(string operation, Func<IJSObjectReference, ValueTask<T>> call)
    {
        var loaded = await LoadAsync(operation);
        try
        {
            return await call(loaded);
        }
        catch (Exception e) when (IsBrowserFailure(e))
        {
            throw new BrowserCallException(operation, e);
        }
    }

    private async Task<IJSObjectReference> LoadAsync(string operation)
    {
        try
        {
            return await Module;
        }
        catch (Exception e) when (IsBrowserFailure(e))
        {
            // A failed import is not cached: the next call tries again.
            module = null;
            throw new BrowserCallException(operation, e);
        }
    }

    private static bool IsBrowserFailure(Exception e) =>
        e is JSException or JSDisconnectedException or OperationCanceledException or ObjectDisposedException;

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
        catch (Exception e) when (IsBrowserFailure(e))
        {
            // The tab is gone; the browser has released its media already.
        }
    }
}
