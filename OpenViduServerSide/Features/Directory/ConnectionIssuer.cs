using System.Net;
using Microsoft.Extensions.Options;
using OpenViduServerSide.Features.Accounts;
using OpenViduServerSide.OpenVidu;

namespace OpenViduServerSide.Features.Directory;

/// <summary>
/// Mints and releases connection tokens at OpenVidu, then tells <see cref="CallDirectory"/>. The OpenVidu role comes
/// from the user's Identity roles at that moment (<see cref="UserCallRoles"/>), never from the browser; the limits on
/// unused connections and on minting (<see cref="CallLimits"/>, <see cref="MintBudget"/>) are checked here.
/// </summary>
public sealed partial class ConnectionIssuer(
    CallDirectory directory,
    OpenViduClient openVidu,
    UserCallRoles roles,
    MintBudget mintBudget,
    IOptions<CallLimits> limits,
    TimeProvider clock,
    ILogger<ConnectionIssuer> logger)
{
    private const int RevokesInFlight = 8;

    /// <summary>
    /// Gets or creates the OpenVidu session <paramref name="sessionName"/> and a connection for <paramref name="userName"/>
    /// with the role their account has now, or PUBLISHER for a SUBSCRIBER a moderator let speak in this call. SUBSCRIBERs cannot share a screen.
    /// </summary>
    /// <exception cref="CallRefusedException">The user may not do this.</exception>
    /// <exception cref="OpenViduException">OpenVidu refused.</exception>
    /// <exception cref="OpenViduUnavailableException">OpenVidu is down or slow.</exception>
    public async Task<IssuedConnection> IssueAsync(string sessionName, string userName, string nickname, ConnectionKind kind, CancellationToken cancellationToken = default)
    {
        if (!SessionNames.IsValid(sessionName))
        {
            throw new CallRefusedException(SessionNames.Rule);
        }

        var role = await roles.GetOpenViduRoleAsync(userName, cancellationToken)
            ?? throw new CallRefusedException("Your account has no call role (PUBLISHER, SUBSCRIBER or MODERATOR). Ask an administrator to give you one.");
        if (role == Roles.Subscriber && directory.MaySpeak(sessionName, userName))
        {
            // A moderator let this SUBSCRIBER speak in this call, and only in this one (CallDirectory.Speakers.cs).
            role = Roles.Publisher;
        }

        if (kind == ConnectionKind.Screen && role == Roles.Subscriber)
        {
            throw new CallRefusedException("Your role (SUBSCRIBER) lets you watch the call but not share your screen.");
        }

        await RefuseBeyondLimitsAsync(sessionName, userName);
        var data = new ConnectionData(userName, kind, nickname, role);
        var known = directory.LiveIncarnation(sessionName);
        var minted = await openVidu.CreateConnectionInSessionAsync(
            sessionName, new ConnectionProperties(role, data.ToServerData()), known is not null, cancellationToken);
        var connection = minted.Connection;
        if (connection.Token is null)
        {
            throw new OpenViduException(HttpStatusCode.InternalServerError, "OpenVidu created a connection without a token.");
        }

        directory.Issued(sessionName, minted.Session ?? known, connection.Id, userName, nickname, role, kind);
        LogIssued(userName, role, kind, sessionName, connection.Id);
        return new IssuedConnection(sessionName, connection.Id, connection.Token, role);
    }

    /// <summary>
    /// Removes the connection from the directory and at OpenVidu (evicting it if still connected, revoking its token if
    /// pending). Safe to call for connections OpenVidu already dropped.
    /// </summary>
    public Task ReleaseAsync(string sessionName, string connectionId, CancellationToken cancellationToken = default) =>
        ReleaseAsync(sessionName, connectionId, "disconnect", cancellationToken);

    /// <summary>
    /// Revokes, at OpenVidu and here, every connection minted longer than <see cref="CallLimits.PendingLifetime"/> ago
    /// and never used. OpenVidu itself keeps such tokens while their session is active (contract §1.6).
    /// </summary>
    public async Task<int> ExpirePendingAsync(CancellationToken cancellationToken = default)
    {
        var expired = directory.PendingAddedBefore(clock.GetUtcNow() - limits.Value.PendingLifetime);
        // Several DELETEs in flight: one at a time, revoking fell behind a script minting a thousand tokens a second, and
        // its unused connections reached the pending caps.
        await Parallel.ForEachAsync(expired, new ParallelOptions { MaxDegreeOfParallelism = RevokesInFlight, CancellationToken = cancellationToken },
            (participant, token) => new ValueTask(ReleaseAsync(participant.SessionName, participant.ConnectionId, "expired", token)));

        if (expired.Count > 0)
        {
            LogExpired(expired.Count);
        }

        return expired.Count;
    }

    private async Task ReleaseAsync(string sessionName, string connectionId, string reason, CancellationToken cancellationToken)
    {
        directory.Forget(sessionName, connectionId, reason);
        try
        {
            await openVidu.DeleteConnectionAsync(sessionName, connectionId, cancellationToken);
        }
        catch (Exception e) when (e is OpenViduException or OpenViduUnavailableException)
        {
            // The directory is already right; OpenVidu drops the connection itself when the browser's socket closes.
            LogReleaseFailed(e, sessionName, connectionId);
        }
    }

    /// <summary>Refuses a mint over the user's budget or over a pending cap (<see cref="CallLimits"/>), with a message for them.</summary>
    private async Task RefuseBeyondLimitsAsync(string sessionName, string userName)
    {
        var (pendingOfUser, pendingInSession) = directory.CountPending(userName, sessionName);
        var limit = limits.Value;
        if (pendingOfUser >= limit.MaxPendingPerUser || pendingInSession >= limit.MaxPendingPerSession)
        {
            LogPendingCap(userName, sessionName, pendingOfUser, pendingInSession);
            throw new CallRefusedException(pendingOfUser >= limit.MaxPendingPerUser
                ? $"You have {pendingOfUser} unused invitations to calls already. Use or leave them, or wait {Minutes(limit.PendingLifetime)} until they expire."
                : $"Too many people are joining {sessionName} at this moment. Try again in a minute.");
        }

        if (await mintBudget.TryTakeAsync(userName) is { Taken: false, RetryAfter: var retryAfter })
        {
            LogMintBudgetSpent(userName);
            throw new CallRefusedException($"You joined too often in the last minute. Try again in {Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))} seconds.");
        }
    }

    private static string Minutes(TimeSpan span) => span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0} minutes" : $"{span.TotalSeconds:0} seconds";

    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Issued a {Role} {Kind} connection for {UserName} in {SessionName}: {ConnectionId}")]
    private partial void LogIssued(string userName, string role, ConnectionKind kind, string sessionName, string connectionId);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Could not release connection {ConnectionId} of {SessionName} at OpenVidu")]
    private partial void LogReleaseFailed(Exception exception, string sessionName, string connectionId);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Refused a connection for {UserName} in {SessionName}: {PendingOfUser} unused connections of theirs, {PendingInSession} in the call")]
    private partial void LogPendingCap(string userName, string sessionName, int pendingOfUser, int pendingInSession);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "Refused a connection for {UserName}: too many in the last minute")]
    private partial void LogMintBudgetSpent(string userName);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Information, Message = "Revoked {Count} connections minted and never used")]
    private partial void LogExpired(int count);
}
