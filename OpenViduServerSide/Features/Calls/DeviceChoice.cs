namespace OpenViduServerSide.Features.Calls;

// Shapes of the pre-join and the device menu, exchanged with wwwroot/js/devices.js and openvidu-interop.js.

/// <summary>A camera or microphone the browser offers (<c>enumerateDevices</c>); the label is empty before permission.</summary>
public sealed record MediaDevice(string Id, string Label);

/// <summary>What the browser has, and which device of each kind is in use (null when none is).</summary>
public sealed record DeviceList(IReadOnlyList<MediaDevice> Cameras, IReadOnlyList<MediaDevice> Microphones, string? CameraId, string? MicrophoneId)
{
    public static readonly DeviceList None = new([], [], null, null);
}

/// <summary>The preview the browser started: its devices, and why the camera or the microphone could not be opened.</summary>
public sealed record PreviewResult(DeviceList Devices, JsError? CameraError, JsError? MicrophoneError);

/// <summary>
/// The person's choice before joining, remembered in the browser (localStorage) for the next visit: which camera and
/// microphone, whether each starts on, and the nickname. A null device id means the browser's default.
/// </summary>
public sealed record DeviceChoice(string? CameraId, string? MicrophoneId, bool CameraOn, bool MicrophoneOn, string? Nickname)
{
    public static readonly DeviceChoice Default = new(null, null, CameraOn: true, MicrophoneOn: true, Nickname: null);
}

/// <summary>
/// How the browser publishes at join (openvidu-browser's publisher properties): a device that is not <c>Use</c>d is left
/// out (no track: its videoSource/audioSource is false); one that is used may still start muted.
/// </summary>
public sealed record JoinMedia(bool UseCamera, string? CameraId, bool CameraOn, bool UseMicrophone, string? MicrophoneId, bool MicrophoneOn)
{
    /// <summary>openvidu-browser's defaults: both devices, both on.</summary>
    public static readonly JoinMedia Default = new(true, null, true, true, null, true);

    /// <summary>Publishing needs one track at least; without any, the person joins to watch and listen.</summary>
    public bool PublishesAnything => UseCamera || UseMicrophone;

    /// <summary>The choice, leaving out the devices the preview found blocked or missing.</summary>
    public static JoinMedia From(DeviceChoice choice, bool cameraWorks, bool microphoneWorks) => new(
        cameraWorks, choice.CameraId, cameraWorks && choice.CameraOn,
        microphoneWorks, choice.MicrophoneId, microphoneWorks && choice.MicrophoneOn);
}

/// <summary>The kind of device a switch is about: openvidu-browser's and the browser's own words ("video", "audio").</summary>
public enum DeviceKind
{
    Camera,
    Microphone,
}

/// <summary>The device menu's choice: publish this device instead of the current one of its kind.</summary>
public sealed record DeviceSwitch(DeviceKind Kind, string DeviceId);
