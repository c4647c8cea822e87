using OpenViduServerSide.Features.Accounts;
using OpenViduServerSide.Features.Directory;

namespace OpenViduServerSide.Features.Calls;

/// <summary>
/// A role switch without leaving the call: a moderator let this person speak or took it back, or an administrator
/// changed their account's role (<see cref="RoleSwitch"/>, from the directory through <see cref="RoleSwitchListener"/>).
/// A token keeps the role it was minted with, so the page mints a new camera connection (the issuer gives the role the
/// server allows now), the browser connects with it before leaving the old session, and only then is the old one
/// released. Until the new connection works nothing changes: a failure leaves the person in the call as before.
/// </summary>
public sealed partial class CallState
{
    private RoleSwitch? nextRoleSwitch;
    private bool switchingRole;

    /// <summary>Switches to the role the server gives now; a switch asked for during another one runs after it.</summary>
    public async Task SwitchRoleAsync(RoleSwitch change)
    {
        ArgumentNullException.ThrowIfNull(change);
        nextRoleSwitch = change;
        if (switchingRole)
        {
            return;
        }

        switchingRole = true;
        try
        {
            while (nextRoleSwitch is { } next)
            {
                nextRoleSwitch = null;
                await SwitchRoleOnceAsync(next);
            }
        }
        finally
        {
            switchingRole = false;
        }
    }

    private async Task SwitchRoleOnceAsync(RoleSwitch change)
    {
        if (view.Phase != CallPhase.InCall || change.SessionName != view.SessionName || change.UserName != view.UserName
            || cameraConnectionId is not { } previous)
        {
            return;
        }

        var call = epoch;
        var (session, nickname, previousRole) = (view.SessionName, view.Nickname, view.Role);
        var abandoned = callEnded.Token;
        IssuedConnection issued;
        try
        {
            issued = await issuer.IssueAsync(session, view.UserName, nickname, ConnectionKind.Camera, CancellationToken.None);
        }
        catch (Exception e) when (Describe(e) is { } message)
        {
            if (epoch == call)
            {
                await NotSwitchedAsync(change, message);
            }

            return;
        }

        if (epoch != call || issued.Role == previousRole)
        {
            // The call ended meanwhile, or the server gives the role this page already has: nothing to switch.
            await issuer.ReleaseAsync(session, issued.ConnectionId, CancellationToken.None);
            if (epoch == call)
            {
                Say(NoticeLevel.Info, CallMessages.RoleSwitched(change, issued.Role));
                await ChangedAsync();
            }

            return;
        }

        // The share's connection carries the old role: it cannot stay without the right to publish, nor with moderator
        // rights that were taken away.
        if (issued.Role == Roles.Subscriber || previousRole == Roles.Moderator)
        {
            await StopScreenShareAsync();
        }

        var result = await browser.TrySwitchCameraAsync(issued.Token, ConnectionData.ToClientData(nickname), publish: issued.Role != Roles.Subscriber, abandoned);
        if (epoch != call || result?.ConnectionId is null)
        {
            await issuer.ReleaseAsync(session, issued.ConnectionId, CancellationToken.None);
            if (epoch == call)
            {
                LogRoleSwitchFailed(session, result?.Error?.Name ?? "", result?.Error?.Message ?? "no answer");
                await NotSwitchedAsync(change, result?.Error?.Message ?? CallMessages.NoAnswer);
            }

            return;
        }

        var handRaised = change.Cause != RoleSwitchCause.LetSpeak && directory.FindParticipant(session, previous)?.HandRaisedAt is not null;
        cameraConnectionId = issued.ConnectionId;
        directory.MarkJoined(session, issued.ConnectionId);
        RemoveTiles(t => t.ConnectionId == previous);
        view = view with { Role = issued.Role, ConnectionId = issued.ConnectionId, CameraStarting = false, MicrophoneOn = false, CameraOn = false };
        var notice = CallMessages.RoleSwitched(change, issued.Role);
        if (result.Camera is { } camera && ShowOwnCamera(issued.ConnectionId, camera) is { } problem)
        {
            notice += " " + problem;
        }

        Say(NoticeLevel.Info, notice);
        await ChangedAsync();
        await issuer.ReleaseAsync(session, previous, CancellationToken.None);
        if (handRaised && epoch == call)
        {
            directory.SetHand(session, issued.ConnectionId, raised: true);
        }
    }

    /// <summary>
    /// The switch failed. After a moderator's change the person stays as before, told why. After an administrator's,
    /// the old connection's role is one the account no longer has, so the person leaves the call and may join again.
    /// </summary>
    private async Task NotSwitchedAsync(RoleSwitch change, string why)
    {
        if (change.Cause != RoleSwitchCause.AccountRole)
        {
            Say(NoticeLevel.Warning, CallMessages.RoleNotSwitched(why));
            await ChangedAsync();
            return;
        }

        await browser.TryLeaveAsync();
        await ReleaseConnectionsAsync();
        await ResetAsync(new CallNotice(NoticeLevel.Warning, CallMessages.RoleChangedJoinAgain(change.Role ?? "")));
    }

    [LoggerMessage(EventId = 3107, Level = LogLevel.Warning, Message = "The browser could not switch its connection to {SessionName}: {Name} {Message}")]
    private partial void LogRoleSwitchFailed(string sessionName, string name, string message);
}
