using System.Collections.Immutable;
using OpenViduServerSide.Features.Accounts;
using OpenViduServerSide.Features.Chat;

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
/// <param name="Speaking">openvidu-browser hears speech on this stream (its publisherStartSpeaking/StopSpeaking).</param>
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
    bool Stalled = false,
    bool Speaking = false);

/// <summary>
/// Everything the call page renders, as one immutable value: <see cref="CallState"/> keeps it and changes it with
/// <c>with</c>, so a new thing on the page is one new property here.
/// </summary>
public sealed record CallViewModel
{
    public static readonly CallViewModel Empty = new();

    public CallPhase Phase { get; init; }

    public string SessionName { get; init; } = "";

    public string Nickname { get; init; } = "";

    public string UserName { get; init; } = "";

    public string? Role { get; init; }

    /// <summary>This page's camera connection (a SUBSCRIBER has one too, without a camera): whose hand the hand button raises.</summary>
    public string? ConnectionId { get; init; }

    /// <summary>Joined, and this page's camera is still being published (its controls come with its tile).</summary>
    public bool CameraStarting { get; init; }

    public bool MicrophoneOn { get; init; }

    public bool CameraOn { get; init; }

    public bool SharingScreen { get; init; }

    public bool ScreenShareBusy { get; init; }

    /// <summary>Cameras and screens in the order they came (this page's own camera first).</summary>
    public ImmutableList<VideoTile> Tiles { get; init; } = [];

    public string? MainStreamId { get; init; }

    public CallNotice? Notice { get; init; }

    public bool Reconnecting { get; init; }

    /// <summary>The call's chat so far, oldest first (loaded at join, then kept up by the chat signals).</summary>
    public ImmutableList<ChatLine> Chat { get; init; } = [];

    public bool ChatOpen { get; init; }

    /// <summary>The keyboard shortcuts help is open.</summary>
    public bool ShortcutsOpen { get; init; }

    /// <summary>Messages from others that arrived while the chat was closed.</summary>
    public int UnreadChat { get; init; }

    public IReadOnlyList<VideoTile> Cameras => [.. Tiles.Where(t => !t.IsScreen)];

    public IReadOnlyList<VideoTile> Screens => [.. Tiles.Where(t => t.IsScreen)];

    /// <summary>PUBLISHER and MODERATOR publish a camera; a SUBSCRIBER only watches.</summary>
    public bool CanPublish => Role is not null and not Roles.Subscriber;

    public bool HasLocalCamera => Tiles.Any(t => t.IsLocal && !t.IsScreen);

    /// <summary>Speaker or grid, as the person chose (kept across calls in the same circuit).</summary>
    public CallLayout Layout { get; init; }

    /// <summary>Where each tile goes: see <see cref="CallStage.Of"/>.</summary>
    public CallStage Stage => CallStage.Of(this);

    public VideoTile? Main => Stage.Main;
}
