namespace OpenViduServerSide.Features.Calls;

public enum CallPhase
{
    NotJoined,
    Joining,
    InCall,
}

public enum NoticeLevel
{
    Info,
    Warning,
    Error,
}

/// <summary>A message for the person on the call page: what happened and, where there is one, what to do.</summary>
/// <param name="OffersRejoin">The call was lost, not ended (the network or the video server): the page offers to join
/// the same call again with the same nickname in one click.</param>
public sealed record CallNotice(NoticeLevel Level, string Message, bool OffersRejoin = false);

/// <summary>One video: a camera or a screen, local or remote.</summary>
/// <param name="Playing">Media arrives. Local streams play at once; a remote one once the browser says so (until then
/// the tile says it is connecting, rather than showing a black box).</param>
/// <param name="Stalled">openvidu-browser gave up waiting for this remote video to play (NO_STREAM_PLAYING_EVENT): the
/// tile says so instead of "connecting" forever; it clears if the video starts after all.</param>
public sealed record VideoTile(
    string StreamId,
    string ConnectionId,
    string Nickname,
    string UserName,
    bool IsScreen,
    bool IsLocal,
    bool AudioActive,
    bool VideoActive,
    bool Playing = true,
    bool Stalled = false);

/// <summary>Everything the call page renders, as one immutable value built by <see cref="CallState"/>.</summary>
public sealed record CallViewModel(
    CallPhase Phase,
    string SessionName,
    string Nickname,
    string UserName,
    string? Role,
    bool MicrophoneOn,
    bool CameraOn,
    bool SharingScreen,
    bool ScreenShareBusy,
    IReadOnlyList<VideoTile> Cameras,
    IReadOnlyList<VideoTile> Screens,
    string? MainStreamId,
    CallNotice? Notice,
    bool Reconnecting)
{
    public static readonly CallViewModel Empty = new(CallPhase.NotJoined, "", "", "", null, false, false, false, false, [], [], null, null, false);

    /// <summary>PUBLISHER and MODERATOR publish a camera; a SUBSCRIBER only watches.</summary>
    public bool CanPublish => Role is not null and not OpenVidu.OpenViduRoles.Subscriber;

    public bool HasLocalCamera => Cameras.Any(t => t.IsLocal);

    public VideoTile? Main =>
        Cameras.Concat(Screens).FirstOrDefault(t => t.StreamId == MainStreamId)
        ?? Cameras.FirstOrDefault(t => t.IsLocal)
        ?? (Cameras.Count > 0 ? Cameras[0] : null)
        ?? (Screens.Count > 0 ? Screens[0] : null);
}
