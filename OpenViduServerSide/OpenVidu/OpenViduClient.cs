using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;

namespace OpenViduServerSide.OpenVidu;

/// <summary>
/// OpenVidu 2.32's REST API (<c>/openvidu/api</c>), typed. Basic auth is added by <see cref="OpenViduAuthHandler"/>;
/// retries (idempotent calls only) and the overall timeout come from the resilience pipeline.
/// Error statuses become <see cref="OpenViduException"/>; an unreachable or slow server becomes
/// <see cref="OpenViduUnavailableException"/>. Statuses that are part of normal life (404 on a get, 409 on a
/// create) are answered as values instead.
/// </summary>
// Over 300 lines: one typed client for OpenVidu's whole REST API (sessions, connections, streams, signals, recordings),
// each call a short method; the mint-recovery path is the only long part.
public sealed partial class OpenViduClient(HttpClient http, IOptions<OpenViduOptions> options, ILogger<OpenViduClient> logger)
{
    private static readonly OpenViduJsonContext Json = OpenViduJsonContext.Default;

    // ---- Sessions ----

    /// <summary>POST /sessions. Returns null when a session with that customSessionId already exists (409).</summary>
    public async Task<OpenViduSession?> CreateSessionAsync(SessionProperties properties, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Post, "sessions", JsonContent.Create(properties, Json.SessionProperties), cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            return null;
        }

        return await ReadAsync(response, Json.OpenViduSession, cancellationToken);
    }

    /// <summary>
    /// Creates the session named <paramref name="customSessionId"/> or takes the existing one (a 409 means another
    /// request created it first, which is normal, contract P2), and says which lifetime of
    /// that name it is: a session closed and created again under the same name is another call (contract §1.6 rule 3),
    /// told apart by its creation time. An existing session costs one GET to learn it.
    /// </summary>
    public async Task<SessionIncarnation> OpenSessionAsync(string customSessionId, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (await CreateSessionAsync(new SessionProperties(customSessionId), cancellationToken) is { } created)
            {
                return new SessionIncarnation(created.Id, created.CreatedAt);
            }

            LogSessionExisted(customSessionId);
            if (await GetSessionAsync(customSessionId, cancellationToken: cancellationToken) is { } existing)
            {
                return new SessionIncarnation(existing.Id, existing.CreatedAt);
            }

            // It closed between the 409 and the GET: create it again (bounded, as for connections).
            if (attempt == MaxSessionRecreations)
            {
                throw new OpenViduException(HttpStatusCode.NotFound, $"The session {customSessionId} kept closing while it was opened.");
            }
        }
    }

    /// <summary>GET /sessions/{id}; null when OpenVidu does not know it.</summary>
    public async Task<OpenViduSession?> GetSessionAsync(string sessionId, bool pendingConnections = false, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, $"sessions/{Escape(sessionId)}?pendingConnections={Bool(pendingConnections)}", null, cancellationToken);
        return response.StatusCode == HttpStatusCode.NotFound ? null : await ReadAsync(response, Json.OpenViduSession, cancellationToken);
    }

    /// <summary>GET /sessions. Includes sessions nobody joined yet.</summary>
    public async Task<IReadOnlyList<OpenViduSession>> ListSessionsAsync(bool pendingConnections = false, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, $"sessions?pendingConnections={Bool(pendingConnections)}", null, cancellationToken);
        return (await ReadAsync(response, Json.SessionPage, cancellationToken)).Content;
    }

    /// <summary>DELETE /sessions/{id}: everyone is evicted. False when the session was already gone.</summary>
    public async Task<bool> CloseSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Delete, $"sessions/{Escape(sessionId)}", null, cancellationToken);
        return await NoContentOrNotFoundAsync(response, cancellationToken);
    }

    // ---- Connections ----

    /// <summary>POST /sessions/{id}/connection. A 404 (the session closed) surfaces as <see cref="OpenViduException"/> with status 404.</summary>
    public async Task<OpenViduConnection> CreateConnectionAsync(string sessionId, ConnectionProperties properties, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Post, $"sessions/{Escape(sessionId)}/connection",
            JsonContent.Create(properties, Json.ConnectionProperties), cancellationToken);
        return await ReadAsync(response, Json.OpenViduConnection, cancellationToken);
    }

    /// <summary>
    /// A connection in the session named <paramref name="customSessionId"/>, creating the session when needed.
    /// OpenVidu closes a session when its last participant leaves, so a connection create can meet a 404 even for a
    /// session that existed a moment ago (contract P1): then the session is created again and the call retried. A 404
    /// created nothing, so the retry is safe; it is bounded for a session that keeps closing under heavy churn.
    /// With <paramref name="sessionKnownAlive"/> the first create-session round trip is skipped, and the answer's
    /// <see cref="SessionConnection.Session"/> is null unless the session had to be created again.
    /// </summary>
    public async Task<SessionConnection> CreateConnectionInSessionAsync(
        string customSessionId, ConnectionProperties properties, bool sessionKnownAlive = false, CancellationToken cancellationToken = default)
    {
        SessionIncarnation? session = sessionKnownAlive ? null : await OpenSessionAsync(customSessionId, cancellationToken);
        var (marked, marker) = WithMintMarker(properties);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return new SessionConnection(await CreateConnectionAsync(customSessionId, marked, cancellationToken), session);
            }
            catch (OpenViduException e) when (e.Status == HttpStatusCode.NotFound && attempt < MaxSessionRecreations)
            {
                LogSessionRecreated(customSessionId);
                session = await OpenSessionAsync(customSessionId, cancellationToken);
            }
            catch (Exception e) when (marker is not null && (e is OpenViduUnavailableException || e is OperationCanceledException))
            {
                // The POST may have reached OpenVidu and created the connection after we stopped waiting. Nobody holds
                // its token and OpenVidu never collects a pending token in a live session, so revoke it in the
                // background (the caller gets its error now), found by the marker only this request carries.
                _ = Task.Run(() => RemoveUnclaimedConnectionAsync(customSessionId, marker), CancellationToken.None);
                throw;
            }
        }
    }

    private const int MaxSessionRecreations = 3;

    /// <summary>The JSON member that tells this request's connection from every other one with the same data.</summary>
    internal const string MintMarkerField = "mint";

    /// <summary>
    /// Adds a one-off marker to the connection's JSON data (members the app does not know are ignored where it reads
    /// them). Data that is not a JSON object is left alone, and then there is nothing to clean up by.
    /// </summary>
    private static (ConnectionProperties Properties, string? Marker) WithMintMarker(ConnectionProperties properties)
    {
        JsonObject? data;
        try
        {
            data = JsonNode.Parse(properties.Data ?? "{}") as JsonObject;
        }
        catch (JsonException)
        {
            data = null;
        }

        if (data is null)
        {
            return (properties, null);
        }

        var marker = Guid.NewGuid().ToString("N");
        data[MintMarkerField] = marker;
        return (properties with { Data = data.ToJsonString() }, marker);
    }

    /// <summary>
    /// Deletes the pending connection carrying <paramref name="marker"/>, if OpenVidu created it. Looks twice, a timeout
    /// apart, because OpenVidu may still be carrying out the request when the first look comes back empty.
    /// </summary>
    private async Task RemoveUnclaimedConnectionAsync(string sessionId, string marker)
    {
        var needle = $"\"{MintMarkerField}\":\"{marker}\"";
        for (var look = 1; look <= 2; look++)
        {
            try
            {
                if (look > 1)
                {
                    await Task.Delay(options.Value.Timeout, CancellationToken.None);
                }

                var connections = await ListConnectionsAsync(sessionId, CancellationToken.None);
                if (connections?.FirstOrDefault(c => !c.IsActive && c.ServerData?.Contains(needle, StringComparison.Ordinal) == true) is { } orphan)
                {
                    await DeleteConnectionAsync(sessionId, orphan.Id, CancellationToken.None);
                    LogOrphanRemoved(orphan.Id, sessionId);
                    return;
                }
            }
            catch (Exception e) when (e is OpenViduException or OpenViduUnavailableException)
            {
                LogOrphanCheckFailed(e, sessionId);
            }
        }
    }

    /// <summary>GET /sessions/{id}/connection (pending ones included, as OpenVidu defaults); null when the session is unknown.</summary>
    public async Task<IReadOnlyList<OpenViduConnection>?> ListConnectionsAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, $"sessions/{Escape(sessionId)}/connection", null, cancellationToken);
        return response.StatusCode == HttpStatusCode.NotFound ? null : (await ReadAsync(response, Json.ConnectionPage, cancellationToken)).Content;
    }

    /// <summary>DELETE /sessions/{id}/connection/{cid}: evicts an active user or revokes a pending token. False when either is unknown.</summary>
    public async Task<bool> DeleteConnectionAsync(string sessionId, string connectionId, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Delete, $"sessions/{Escape(sessionId)}/connection/{Escape(connectionId)}", null, cancellationToken);
        return response.StatusCode != HttpStatusCode.BadRequest && await NoContentOrNotFoundAsync(response, cancellationToken);
    }

    /// <summary>DELETE /sessions/{id}/stream/{streamId} (force-unpublish). False when the session or stream is unknown.</summary>
    public async Task<bool> ForceUnpublishAsync(string sessionId, string streamId, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Delete, $"sessions/{Escape(sessionId)}/stream/{Escape(streamId)}", null, cancellationToken);
        return response.StatusCode != HttpStatusCode.BadRequest && await NoContentOrNotFoundAsync(response, cancellationToken);
    }

    // ---- Signals ----

    /// <summary>
    /// POST /signal. Pass <c>Type</c> as <c>"signal:name"</c> so browser listeners on <c>signal:name</c> fire (contract P8).
    /// 404 (no such session) and 406 (nobody connected, or unknown targets) surface as <see cref="OpenViduException"/>.
    /// </summary>
    public async Task SignalAsync(SignalRequest signal, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Post, "signal", JsonContent.Create(signal, Json.SignalRequest), cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    // ---- Recordings (501 when OPENVIDU_RECORDING=false, OpenVidu's default) ----

    public async Task<Recording> StartRecordingAsync(RecordingProperties properties, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Post, "recordings/start", JsonContent.Create(properties, Json.RecordingProperties), cancellationToken);
        return await ReadAsync(response, Json.Recording, cancellationToken);
    }

    public async Task<Recording> StopRecordingAsync(string recordingId, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Post, $"recordings/stop/{Escape(recordingId)}", null, cancellationToken);
        return await ReadAsync(response, Json.Recording, cancellationToken);
    }

    public async Task<Recording?> GetRecordingAsync(string recordingId, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, $"recordings/{Escape(recordingId)}", null, cancellationToken);
        return response.StatusCode == HttpStatusCode.NotFound ? null : await ReadAsync(response, Json.Recording, cancellationToken);
    }

    public async Task<IReadOnlyList<Recording>> ListRecordingsAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, "recordings", null, cancellationToken);
        return (await ReadAsync(response, Json.RecordingList, cancellationToken)).Items;
    }

    public async Task<bool> DeleteRecordingAsync(string recordingId, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Delete, $"recordings/{Escape(recordingId)}", null, cancellationToken);
        return await NoContentOrNotFoundAsync(response, cancellationToken);
    }

    /// <summary>
    /// GET a recording's file (<c>/openvidu/recordings/{id}/{file}</c>, the same secret), streamed: the body is not
    /// buffered and a <c>Range</c> header is passed through, so OpenVidu's 206 and <c>Content-Range</c> come back as they
    /// are. The caller disposes the response.
    /// </summary>
    public async Task<HttpResponseMessage> GetRecordingFileAsync(string recordingId, string fileName, string? range, CancellationToken cancellationToken = default)
    {
        var path = $"openvidu/recordings/{Escape(recordingId)}/{Escape(fileName)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (!string.IsNullOrEmpty(range))
        {
            request.Headers.TryAddWithoutValidation("Range", range);
        }

        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or BrokenCircuitException or RateLimiterRejectedException
                                   || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogUnavailable(e, "GET", options.Value.BaseUri.GetLeftPart(UriPartial.Authority), path);
            throw new OpenViduUnavailableException("The video service (OpenVidu) is not answering. Try again in a moment.", e);
        }
    }

    // ---- Config ----

    /// <summary>GET /config: also proves the secret is right, so the readiness check uses it.</summary>
    public async Task<OpenViduConfig> GetConfigAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, "config", null, cancellationToken);
        return await ReadAsync(response, Json.OpenViduConfig, cancellationToken);
    }

    // ---- Plumbing ----

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, "openvidu/api/" + path) { Content = content };
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or BrokenCircuitException or RateLimiterRejectedException
                                   || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The address is for the operator's log only: the message reaches users and anonymous API callers.
            LogUnavailable(e, method.Method, options.Value.BaseUri.GetLeftPart(UriPartial.Authority), path);
            throw new OpenViduUnavailableException("The video service (OpenVidu) is not answering. Try again in a moment.", e);
        }
    }

    private async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, cancellationToken);
        try
        {
            return await response.Content.ReadFromJsonAsync(type, cancellationToken)
                ?? throw new OpenViduException(response.StatusCode, "OpenVidu answered with an empty body.");
        }
        catch (JsonException e)
        {
            throw new OpenViduException(response.StatusCode, $"OpenVidu answered with JSON the app cannot read: {e.Message}");
        }
    }

    private async Task<bool> NoContentOrNotFoundAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, cancellationToken);
        return true;
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var message = await ErrorMessageAsync(response, cancellationToken);
        var path = response.RequestMessage?.RequestUri?.AbsolutePath ?? "";
        LogError((int)response.StatusCode, path, message);
        throw new OpenViduException(response.StatusCode, message);
    }

    private static async Task<string> ErrorMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // These two say more than OpenVidu's own text would.
        switch (response.StatusCode)
        {
            case HttpStatusCode.Unauthorized:
                return "OpenVidu refused the secret: check the setting OpenVidu:Secret.";
            case HttpStatusCode.NotImplemented:
                return "Recording is disabled on this OpenVidu server (OPENVIDU_RECORDING=false).";
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (body.Length > 0)
        {
            try
            {
                if (JsonSerializer.Deserialize(body, Json.OpenViduError)?.Message is { Length: > 0 } message)
                {
                    return message;
                }
            }
            catch (JsonException)
            {
                // Not OpenVidu's error shape: fall through to the status text.
            }
        }

        return response.StatusCode switch
        {
            HttpStatusCode.NotFound => "OpenVidu does not know that session.",
            HttpStatusCode.NotAcceptable => "Nobody is connected to that session.",
            _ => $"OpenVidu answered {(int)response.StatusCode} {response.ReasonPhrase}.",
        };
    }

    private static string Escape(string value) => Uri.EscapeDataString(value);

    private static string Bool(bool value) => value ? "true" : "false";

    [LoggerMessage(EventId = 2000, Level = LogLevel.Error, Message = "OpenVidu at {Address} is unavailable ({Method} {Path})")]
    private partial void LogUnavailable(Exception exception, string method, string address, string path);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Revoked connection {ConnectionId} in {SessionId}: OpenVidu created it after the app had stopped waiting")]
    private partial void LogOrphanRemoved(string connectionId, string sessionId);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Could not check {SessionId} for a connection created after a timeout; it may stay pending at OpenVidu")]
    private partial void LogOrphanCheckFailed(Exception exception, string sessionId);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "OpenVidu answered {Status} to {Path}: {Message}")]
    private partial void LogError(int status, string path, string message);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "Session {SessionId} already existed (409)")]
    private partial void LogSessionExisted(string sessionId);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Session {SessionId} had closed; created it again for a new connection")]
    private partial void LogSessionRecreated(string sessionId);
}
