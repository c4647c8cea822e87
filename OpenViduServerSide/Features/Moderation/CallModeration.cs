using System.Data.Common;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Accounts;
using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.OpenVidu;

namespace OpenViduServerSide.Features.Moderation;

/// <summary>What a moderation action did, in words for the person who asked.</summary>
public sealed record ModerationResult(bool Succeeded, string Message)
{
    public static ModerationResult Done(string message) => new(true, message);

    public static ModerationResult Refused(string message) => new(false, message);
}

/// <summary>
/// Removing people, stopping streams, ending calls and speaking to everyone in a call. Admins may act on any call; a
/// MODERATOR only on a call they are in. That is checked here, on the server, for every action, whatever the page showed.
/// The people affected are told why with a signal before OpenVidu acts, so their page can say more than OpenVidu's reason.
/// </summary>
// A little over 300 lines: the four actions share the same check, notice, audit and refusal mapping, kept in one place.
public sealed partial class CallModeration(
    CallDirectory directory,
    OpenViduClient openVidu,
    IDbContextFactory<ApplicationDbContext> contexts,
    AuditLog audit,
    TimeProvider clock,
    ILogger<CallModeration> logger,
    DirectoryReplication? replication = null)
{
    /// <summary>The longest reason or message a moderator may send (the dialogs count down from it).</summary>
    public const int MaxTextLength = 500;

    /// <summary>
    /// True when <paramref name="actor"/> is an Admin, or holds an active MODERATOR connection in the call; in both cases
    /// the account is re-read from the database (it exists, is not locked, and for the Admin branch still has the Admin
    /// role), because the page's principal is only what the account was when the page opened. Actors whose page shows
    /// neither right are refused without a query.
    /// </summary>
    public async Task<bool> CanModerateAsync(ClaimsPrincipal actor, string sessionName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor.Identity?.Name is not { } name)
        {
            return false;
        }

        var moderatorHere = directory.GetParticipants(sessionName).Any(p => p.UserName == name && p.Role == Roles.Moderator && p.IsActive);
        if (!moderatorHere && !actor.IsInRole(Roles.Admin))
        {
            return false;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var normalized = name.ToUpperInvariant();
        var account = await db.Users.AsNoTracking().Where(u => u.NormalizedUserName == normalized)
            .Select(u => new
            {
                u.LockoutEnd,
                IsAdmin = db.UserRoles.Any(ur => ur.UserId == u.Id && db.Roles.Any(r => r.Id == ur.RoleId && r.Name == Roles.Admin)),
            })
            .FirstOrDefaultAsync(cancellationToken);
        if (account is null || account.LockoutEnd > clock.GetUtcNow())
        {
            return false;
        }

        return account.IsAdmin || moderatorHere;
    }

    /// <summary>Removes a person (their camera and any screen share) from the call.</summary>
    public async Task<ModerationResult> RemoveAsync(ClaimsPrincipal actor, string sessionName, string connectionId, string? reason, CancellationToken cancellationToken = default)
    {
        if (await RefuseAsync(actor, sessionName, cancellationToken) is { } refused)
        {
            return refused;
        }

        // The dialog limits the reason too, but only the server's check holds for every caller.
        reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        if (reason is { Length: > MaxTextLength })
        {
            return ModerationResult.Refused($"Keep the reason to {MaxTextLength} characters.");
        }

        if (directory.FindParticipant(sessionName, connectionId) is not { } target)
        {
            return ModerationResult.Refused("That person has already left the call.");
        }

        var connections = directory.GetParticipants(sessionName).Where(p => p.UserName == target.UserName && (p.ConnectionId == connectionId || p.Kind == ConnectionKind.Screen)).ToList();
        return await GuardAsync(async () =>
        {
            await TellAsync(sessionName, [.. connections.Where(c => c.IsActive).Select(c => c.ConnectionId)], CallSignals.Removed, new SignalNotice(By(actor), reason), cancellationToken);
            var removed = false;
            foreach (var connection in connections)
            {
                using var removing = directory.Removing(connection.ConnectionId, actor.Identity?.Name ?? "?");
                // The other instances must know who removes the person before OpenVidu's webhook reaches one of them.
                await (replication?.SentAsync(cancellationToken) ?? Task.CompletedTask);
                removed |= await openVidu.DeleteConnectionAsync(sessionName, connection.ConnectionId, cancellationToken);
                directory.Forget(sessionName, connection.ConnectionId, "forceDisconnectByServer");
            }

            LogRemoved(actor.Identity?.Name ?? "?", target.UserName, sessionName, reason ?? "");
            await AuditAsync(actor, AuditActions.RemoveFromCall, target.UserName, $"call {sessionName}; reason: {reason ?? "none"}");
            return removed
                ? ModerationResult.Done($"{target.Nickname} ({target.UserName}) was removed from the call.")
                : ModerationResult.Refused($"{target.Nickname} had already left the call.");
        });
    }

    /// <summary>
    /// Takes a user out of every call they are in, because an administrator locked or deleted their account (a role
    /// change switches their calls instead: <see cref="SwitchRoleEverywhereAsync"/>): a token keeps what it was minted
    /// with, so the change would otherwise wait for their next join.
    /// The caller has already checked that <paramref name="actorName"/> is an administrator.
    /// </summary>
    public async Task EvictEverywhereAsync(string actorName, string userName, string explanation, CancellationToken cancellationToken = default)
    {
        foreach (var call in directory.ParticipantsOf(userName).GroupBy(p => p.SessionName))
        {
            await EvictFromCallAsync(actorName, $"an administrator ({actorName})", userName, call.Key, [.. call], explanation, cancellationToken);
        }
    }

    /// <summary>Takes these connections of one user out of one call, telling their pages why (and <paramref name="by"/> whom) first.</summary>
    private async Task EvictFromCallAsync(string actorName, string by, string userName, string sessionName, IReadOnlyList<Participant> connections, string explanation, CancellationToken cancellationToken)
    {
        try
        {
            await TellAsync(sessionName, [.. connections.Where(p => p.IsActive).Select(p => p.ConnectionId)], CallSignals.Removed,
                new SignalNotice(by, explanation), cancellationToken);
        }
        catch (OpenViduUnavailableException e)
        {
            // Telling is a courtesy; the eviction below must still run.
            LogTellFailed(e, CallSignals.Removed, sessionName);
        }

        foreach (var connection in connections)
        {
            // Forget first (as ReleaseAsync does): the entry carries the role it was minted with, and CanModerate
            // must stop trusting it even when OpenVidu refuses the delete; its token dies with the call at the latest.
            using var removing = directory.Removing(connection.ConnectionId, actorName);
            directory.Forget(sessionName, connection.ConnectionId, "forceDisconnectByServer");
            try
            {
                await openVidu.DeleteConnectionAsync(sessionName, connection.ConnectionId, cancellationToken);
            }
            catch (Exception e) when (e is OpenViduException or OpenViduUnavailableException)
            {
                LogEvictionFailed(e, userName, sessionName, connection.ConnectionId);
            }
        }

        LogRemoved(actorName, userName, sessionName, explanation);
    }

    /// <summary>Stops what a person publishes (force-unpublish); they stay in the call and can watch.</summary>
    public async Task<ModerationResult> StopStreamAsync(ClaimsPrincipal actor, string sessionName, string connectionId, CancellationToken cancellationToken = default)
    {
        if (await RefuseAsync(actor, sessionName, cancellationToken) is { } refused)
        {
            return refused;
        }

        if (directory.FindParticipant(sessionName, connectionId) is not { StreamId: { } streamId } target)
        {
            return ModerationResult.Refused("That person is not publishing anything now.");
        }

        return await GuardAsync(async () =>
        {
            await TellAsync(sessionName, [connectionId], CallSignals.StreamStopped, new SignalNotice(By(actor), null), cancellationToken);
            var stopped = await openVidu.ForceUnpublishAsync(sessionName, streamId, cancellationToken);
            directory.UpdateMedia(sessionName, connectionId, null, false, false);
            LogStreamStopped(actor.Identity?.Name ?? "?", target.UserName, sessionName);
            await AuditAsync(actor, AuditActions.StopStream, target.UserName, $"call {sessionName}; stream {streamId}");
            return stopped
                ? ModerationResult.Done($"The {(target.Kind == ConnectionKind.Screen ? "screen share" : "camera")} of {target.Nickname} was stopped.")
                : ModerationResult.Refused($"{target.Nickname} had already stopped publishing.");
        });
    }

    /// <summary>Lowers someone's raised hand (they were heard, or it was raised by mistake). Their page and every list show it at once.</summary>
    public async Task<ModerationResult> LowerHandAsync(ClaimsPrincipal actor, string sessionName, string connectionId, CancellationToken cancellationToken = default)
    {
        if (await RefuseAsync(actor, sessionName, cancellationToken) is { } refused)
        {
            return refused;
        }

        if (directory.FindParticipant(sessionName, connectionId) is not { HandRaisedAt: not null } target)
        {
            return ModerationResult.Refused("That hand is already down.");
        }

        directory.SetHand(sessionName, connectionId, raised: false);
        await AuditAsync(actor, AuditActions.LowerHand, target.UserName, $"call {sessionName}");
        return ModerationResult.Done($"{target.Nickname}'s hand was lowered.");
    }

    /// <summary>Ends the call for everyone (closes the OpenVidu session).</summary>
    public async Task<ModerationResult> EndCallAsync(ClaimsPrincipal actor, string sessionName, CancellationToken cancellationToken = default)
    {
        if (await RefuseAsync(actor, sessionName, cancellationToken) is { } refused)
        {
            return refused;
        }

        return await GuardAsync(async () =>
        {
            await TellAsync(sessionName, null, CallSignals.CallEnded, new SignalNotice(By(actor), null), cancellationToken);
            var closed = await openVidu.CloseSessionAsync(sessionName, cancellationToken);
            directory.SessionEnded(sessionName, null, "sessionClosedByServer", clock.GetUtcNow());
            LogCallEnded(actor.Identity?.Name ?? "?", sessionName);
            await AuditAsync(actor, AuditActions.EndCall, sessionName, null);
            return closed ? ModerationResult.Done($"The call {sessionName} was ended for everyone.") : ModerationResult.Refused($"The call {sessionName} had already ended.");
        });
    }

    /// <summary>Shows a message on the page of everyone in the call.</summary>
    public async Task<ModerationResult> AnnounceAsync(ClaimsPrincipal actor, string sessionName, string message, CancellationToken cancellationToken = default)
    {
        if (await RefuseAsync(actor, sessionName, cancellationToken) is { } refused)
        {
            return refused;
        }

        var text = message?.Trim() ?? "";
        if (text.Length is 0 or > MaxTextLength)
        {
            return ModerationResult.Refused($"Write a message of 1 to {MaxTextLength} characters.");
        }

        return await GuardAsync(async () =>
        {
            try
            {
                await openVidu.SignalAsync(new SignalRequest(sessionName, Type: CallSignals.Announcement, Data: CallSignals.Write(new SignalNotice(By(actor), text))), cancellationToken);
            }
            catch (OpenViduException e) when (e.Status is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.NotAcceptable)
            {
                return ModerationResult.Refused("Nobody is in that call now.");
            }

            LogAnnounced(actor.Identity?.Name ?? "?", sessionName);
            await AuditAsync(actor, AuditActions.MessageCall, sessionName, text);
            return ModerationResult.Done("Your message was sent to everyone in the call.");
        });
    }

    private static string By(ClaimsPrincipal actor) =>
        $"{(actor.IsInRole(Roles.Admin) ? "an administrator" : "a moderator")} ({actor.Identity?.Name})";

    private async Task<ModerationResult?> RefuseAsync(ClaimsPrincipal actor, string sessionName, CancellationToken cancellationToken)
    {
        if (await CanModerateAsync(actor, sessionName, cancellationToken))
        {
            return null;
        }

        LogRefused(actor.Identity?.Name ?? "anonymous", sessionName);
        return ModerationResult.Refused("Only an administrator, or a moderator in this call, can do that.");
    }

    private async Task TellAsync(string sessionName, IReadOnlyList<string>? to, string type, SignalNotice notice, CancellationToken cancellationToken)
    {
        if (to is { Count: 0 })
        {
            return;
        }

        try
        {
            await openVidu.SignalAsync(new SignalRequest(sessionName, to, type, CallSignals.Write(notice)), cancellationToken);
        }
        catch (OpenViduException e)
        {
            // Telling is a courtesy: the action itself still happens, and OpenVidu's own reason reaches the page.
            LogTellFailed(e, type, sessionName);
        }
    }

    // Moderation goes in the same audit table as user administration, written after OpenVidu acted (see AuditLog).
    private Task AuditAsync(ClaimsPrincipal actor, string action, string target, string? details) =>
        audit.WriteAsync(actor, action, target, details);

    /// <summary>
    /// OpenVidu's refusals become a refused result. Audit failures are handled in <see cref="AuditLog"/>; a database
    /// error anywhere else in an action is mapped here too, so no moderation action can end the moderator's circuit.
    /// </summary>
    private async Task<ModerationResult> GuardAsync(Func<Task<ModerationResult>> action)
    {
        try
        {
            return await action();
        }
        catch (OpenViduUnavailableException e)
        {
            return ModerationResult.Refused(e.Message);
        }
        catch (OpenViduException e)
        {
            return ModerationResult.Refused(e.UserMessage);
        }
        catch (Exception e) when (e is DbException or DbUpdateException)
        {
            LogActionFailed(e);
            return ModerationResult.Refused("The action could not be completed. Try again.");
        }
    }


    [LoggerMessage(EventId = 5021, Level = LogLevel.Warning, Message = "Could not delete connection {ConnectionId} of {Target} in {SessionName} at OpenVidu during an eviction")]
    private partial void LogEvictionFailed(Exception exception, string target, string sessionName, string connectionId);

    [LoggerMessage(EventId = 5022, Level = LogLevel.Error, Message = "A moderation action failed on a database error")]
    private partial void LogActionFailed(Exception exception);

    [LoggerMessage(EventId = 5000, Level = LogLevel.Information, Message = "{Actor} removed {Target} from {SessionName}: {Reason}")]
    private partial void LogRemoved(string actor, string target, string sessionName, string reason);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "{Actor} stopped the stream of {Target} in {SessionName}")]
    private partial void LogStreamStopped(string actor, string target, string sessionName);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "{Actor} ended the call {SessionName}")]
    private partial void LogCallEnded(string actor, string sessionName);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "{Actor} sent a message to {SessionName}")]
    private partial void LogAnnounced(string actor, string sessionName);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Refused a moderation action by {Actor} on {SessionName}: not an admin nor a moderator in that call")]
    private partial void LogRefused(string actor, string sessionName);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "Could not send {Type} to {SessionName}")]
    private partial void LogTellFailed(Exception exception, string type, string sessionName);
}
