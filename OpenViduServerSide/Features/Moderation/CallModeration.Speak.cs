using System.Security.Claims;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Accounts;
using OpenViduServerSide.Features.Directory;

namespace OpenViduServerSide.Features.Moderation;

/// <summary>
/// Role changes during a call: a moderator lets a SUBSCRIBER speak in this call (a grant in the directory, so their
/// next connection there is a PUBLISHER one) or takes it back, and an administrator's change of an account's role. The
/// person's open page is told and switches its connection without leaving the call (CallState.Role.cs); where no page
/// listens (an API client), the connections that carry the old role are taken out instead, since a token keeps its role.
/// </summary>
public sealed partial class CallModeration
{
    /// <summary>Lets a SUBSCRIBER publish in this call only; their raised hand goes down (their turn came).</summary>
    public async Task<ModerationResult> LetSpeakAsync(ClaimsPrincipal actor, string sessionName, string connectionId, CancellationToken cancellationToken = default)
    {
        if (await RefuseAsync(actor, sessionName, cancellationToken) is { } refused)
        {
            return refused;
        }

        if (directory.FindParticipant(sessionName, connectionId) is not { Kind: ConnectionKind.Camera } target)
        {
            return ModerationResult.Refused("That person has already left the call.");
        }

        if (target.Role != Roles.Subscriber)
        {
            return ModerationResult.Refused($"{target.Nickname} can already speak ({target.Role}).");
        }

        if (!directory.SetSpeaker(sessionName, target.UserName, maySpeak: true))
        {
            return ModerationResult.Refused($"{target.Nickname} may already speak; their page is switching.");
        }

        directory.SetHand(sessionName, connectionId, raised: false);
        var pages = directory.SwitchRole(new RoleSwitch(sessionName, target.UserName, RoleSwitchCause.LetSpeak, By(actor)));
        LogLetSpeak(actor.Identity?.Name ?? "?", target.UserName, sessionName, pages);
        await AuditAsync(actor, AuditActions.PromoteToSpeak, target.UserName, $"call {sessionName}");
        return ModerationResult.Done(pages > 0
            ? $"{target.Nickname} may speak now: their camera and microphone come on."
            : $"{target.Nickname} may speak now, from their next join (no page of theirs here can switch).");
    }

    /// <summary>Takes back what <see cref="LetSpeakAsync"/> gave: the person watches again, in the same call.</summary>
    public async Task<ModerationResult> TakeBackSpeakAsync(ClaimsPrincipal actor, string sessionName, string connectionId, CancellationToken cancellationToken = default)
    {
        if (await RefuseAsync(actor, sessionName, cancellationToken) is { } refused)
        {
            return refused;
        }

        if (directory.FindParticipant(sessionName, connectionId) is not { } target)
        {
            return ModerationResult.Refused("That person has already left the call.");
        }

        if (!directory.SetSpeaker(sessionName, target.UserName, maySpeak: false))
        {
            return ModerationResult.Refused($"{target.Nickname} was not let speak in this call.");
        }

        var by = By(actor);
        var pages = directory.SwitchRole(new RoleSwitch(sessionName, target.UserName, RoleSwitchCause.SpeakTakenBack, by));
        if (pages == 0)
        {
            // Nobody will switch: the PUBLISHER connections the grant gave must not outlive it.
            var publishing = directory.GetParticipants(sessionName).Where(p => p.UserName == target.UserName && p.Role == Roles.Publisher).ToList();
            await EvictFromCallAsync(actor.Identity?.Name ?? "?", by, target.UserName, sessionName, publishing, "Your turn to speak was taken back. Join again to watch.", cancellationToken);
        }

        LogSpeakTakenBack(actor.Identity?.Name ?? "?", target.UserName, sessionName, pages);
        await AuditAsync(actor, AuditActions.TakeBackSpeak, target.UserName, $"call {sessionName}");
        return ModerationResult.Done($"{target.Nickname} watches again: their camera and microphone go off.");
    }

    /// <summary>
    /// An administrator changed <paramref name="userName"/>'s OpenVidu role to <paramref name="role"/>: each call they
    /// are in switches to it through their page, with a notice; a call where no page of theirs listens loses their
    /// connections, told <paramref name="explanation"/>. The caller has already checked that <paramref name="actorName"/>
    /// is an administrator.
    /// </summary>
    public async Task SwitchRoleEverywhereAsync(string actorName, string userName, string role, string explanation, CancellationToken cancellationToken = default)
    {
        foreach (var call in directory.ParticipantsOf(userName).GroupBy(p => p.SessionName))
        {
            var pages = directory.SwitchRole(new RoleSwitch(call.Key, userName, RoleSwitchCause.AccountRole, $"an administrator ({actorName})", role));
            if (pages > 0)
            {
                LogRoleSwitched(actorName, userName, call.Key, role, pages);
                continue;
            }

            await EvictFromCallAsync(actorName, $"an administrator ({actorName})", userName, call.Key, [.. call], explanation, cancellationToken);
        }
    }

    [LoggerMessage(EventId = 5006, Level = LogLevel.Information, Message = "{Actor} let {Target} speak in {SessionName}; {Pages} pages switch")]
    private partial void LogLetSpeak(string actor, string target, string sessionName, int pages);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Information, Message = "{Actor} took back {Target}'s turn to speak in {SessionName}; {Pages} pages switch")]
    private partial void LogSpeakTakenBack(string actor, string target, string sessionName, int pages);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Information, Message = "{Actor} changed {Target}'s role to {Role}; {Pages} pages in {SessionName} switch to it")]
    private partial void LogRoleSwitched(string actor, string target, string sessionName, string role, int pages);
}
