using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace OpenViduServerSide.Features.Calls;

// Shapes exchanged with wwwroot/js/openvidu-interop.js.

/// <summary>Connected (ConnectionId) or not (Error).</summary>
/// <param name="Camera">
/// After a role switch that publishes, its camera; a join publishes after it is connected (<see cref="OpenViduInterop.TryCameraPublishedAsync"/>).
/// </param>
public sealed record JoinResult(string? ConnectionId, JsError? Error, CameraPublished? Camera = null);

/// <summary>This page's published camera (StreamId), or why it could not be published (PublishError).</summary>
/// <param name="AudioActive">The published microphone is on (null: the browser did not say).</param>
/// <param name="VideoActive">The published camera is on (null: the browser did not say).</param>
public sealed record CameraPublished(string? StreamId, JsError? PublishError, bool? AudioActive = null, bool? VideoActive = null);

public sealed record ScreenShareResult(string? ConnectionId, string? StreamId, JsError? Error);

public sealed record JsError(string Name, string Message);

/// <param name="IsLocal">This tab's own stream (its screen share, seen through the camera connection).</param>
public sealed record StreamInfo(
    string StreamId,
    string ConnectionId,
    string ConnectionData,
    string TypeOfVideo,
    bool AudioActive,
    bool VideoActive,
    bool IsLocal = false);

/// <summary>
/// C# face of the openvidu-interop.js module: one per circuit, imported on first use, disposed with the circuit.
/// It translates calls only; <see cref="CallState"/> decides what to do. The one policy for a browser that does not do
/// what was asked (the tab is gone, the script failed, the call was given up) lives here, as MudBlazor's
/// IJSRuntimeExtensions keep it: every method logs the failure once and answers false or null, so no caller needs a
/// try/catch and no such failure ends the circuit. Anything else (a bug) still throws, for the page's error boundary.
/// </summary>
public sealed partial class OpenViduInterop(IJSRuntime js, ILogger<OpenViduInterop> logger) : IAsyncDisposable
{
    public const string ModulePath = "./js/openvidu-interop.js";

    private Task<IJSObjectReference>? module;

    private Task<IJSObjectReference> Module => module ??= js.InvokeAsync<IJSObjectReference>("import", ModulePath).AsTask();

    /// <summary>
    /// Connects, and starts publishing the camera when asked to; null if the browser could not. The browser may wait for
    /// a person here (the camera and microphone prompt), so the call is bounded only by <paramref name="cancellationToken"/>:
    /// the overloads without a token would apply Blazor Server's JSInteropDefaultCallTimeout (1 minute) and give up on a
    /// person who is still deciding.
    /// </summary>
    public Task<JoinResult?> TryJoinAsync(DotNetObjectReference<CallState> callback, string token, string metadata, bool publish, JoinMedia media, CancellationToken cancellationToken) =>
        TryInvokeAsync("join", m => m.InvokeAsync<JoinResult>("join", cancellationToken, [callback, token, metadata, publish, media]));

    /// <summary>
    /// Waits for the camera that <see cref="TryJoinAsync"/> started publishing; null if none was asked for, the call was
    /// left, or the browser could not answer. Like the join it may wait for the camera prompt, so it has no default timeout.
    /// </summary>
    public Task<CameraPublished?> TryCameraPublishedAsync(CancellationToken cancellationToken) =>
        TryInvokeAsync("publish the camera", m => m.InvokeAsync<CameraPublished?>("cameraPublished", cancellationToken));

    /// <summary>
    /// A role switch: connects with a new token, then leaves the old camera session (left as it was if the new one is
    /// refused) and publishes the camera when asked to; null if the browser could not. Waits for the camera prompt, so
    /// like <see cref="TryJoinAsync"/> it has no default timeout.
    /// </summary>
    public Task<JoinResult?> TrySwitchCameraAsync(string token, string metadata, bool publish, CancellationToken cancellationToken) =>
        TryInvokeAsync("switch roles", m => m.InvokeAsync<JoinResult>("switchCamera", cancellationToken, [token, metadata, publish]));

    /// <summary>Shares the screen; null if the browser could not. Waits for the screen picker, so like <see cref="TryJoinAsync"/> it has no default timeout.</summary>
    public Task<ScreenShareResult?> TryShareScreenAsync(string token, string metadata, CancellationToken cancellationToken) =>
        TryInvokeAsync("share the screen", m => m.InvokeAsync<ScreenShareResult>("shareScreen", cancellationToken, [token, metadata]));

    public Task<bool> TryStopScreenAsync() => TryInvokeVoidAsync("stop the screen share", m => m.InvokeVoidAsync("stopScreen"));

    public Task<bool> TrySetMicrophoneAsync(bool on) => TryInvokeVoidAsync("switch the microphone", m => m.InvokeVoidAsync("setMicrophone", on));

    public Task<bool> TrySetCameraAsync(bool on) => TryInvokeVoidAsync("switch the camera", m => m.InvokeVoidAsync("setCamera", on));

    public Task<bool> TryAttachVideoAsync(string streamId, ElementReference video) => TryInvokeVoidAsync("show a video", m => m.InvokeVoidAsync("attachVideo", streamId, video));

    public Task<bool> TryDetachVideoAsync(string streamId, ElementReference video) => TryInvokeVoidAsync("hide a video", m => m.InvokeVoidAsync("detachVideo", streamId, video));

    public Task<bool> TryToggleFullscreenAsync() => TryInvokeVoidAsync("switch fullscreen", m => m.InvokeVoidAsync("toggleFullscreen"));

    public Task<bool> TryLeaveAsync() => TryInvokeVoidAsync("leave", m => m.InvokeVoidAsync("leave"));

    private Task<bool> TryInvokeVoidAsync(string operation, Func<IJSObjectReference, ValueTask> call) =>
        TryInvokeAsync(operation, async m =>
        {
            await call(m);
            return true;
        });

    private async Task<T?> TryInvokeAsync<T>(string operation, Func<IJSObjectReference, ValueTask<T>> call)
    {
        var import = Module;
        try
        {
            return await call(await import);
        }
        catch (Exception e) when (IsBrowserFailure(e))
        {
            if (module == import && !import.IsCompletedSuccessfully)
            {
                // A failed import is not cached: the next call tries again.
                module = null;
            }

            // A script that failed is worth a look; a tab that is gone or a call that was given up is how calls end.
            LogBrowserFailed(e is JSException ? LogLevel.Warning : LogLevel.Debug, e, operation);
            return default;
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

    [LoggerMessage(EventId = 3100, Message = "The browser failed to {Operation}")]
    private partial void LogBrowserFailed(LogLevel level, Exception exception, string operation);
}
