using System.Net;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Features.Moderation;
using OpenViduServerSide.OpenVidu;

namespace OpenViduServerSide.Features.Recordings;

/// <summary>A recording in progress in a call, as the pages show it.</summary>
public sealed record ActiveRecording(string Id, DateTimeOffset StartedAt);

/// <summary>What a start or stop did, in words for the person who asked.</summary>
public sealed record RecordingResult(bool Succeeded, string Message);

/// <summary>
/// Recording calls through OpenVidu's recording API (contract §1.5). Who may: an Admin, or a MODERATOR in that call,
/// checked here on every start and stop (<see cref="CallModeration.CanModerateAsync"/>), whatever the page offered.
/// Which calls are being recorded is kept in memory from three sources, so every page in the call (and a late joiner)
/// shows it: the app's own starts and stops, OpenVidu's webhook (<c>recordingStatusChanged</c>, also for recordings
/// started elsewhere) and openvidu-browser's <c>recordingStarted</c>/<c>Stopped</c> events that pages report.
/// Who started a recording, which OpenVidu does not know, is stored in <see cref="RecordingEntry"/>.
/// <para>
/// This file: start, stop and the in-memory state. The pages' and the webhook's reports are in
/// <c>CallRecordings.Events.cs</c>, the stored entries and audit rows in <c>CallRecordings.Entries.cs</c>.
/// </para>
/// </summary>
public sealed partial class CallRecordings(
    CallModeration moderation,
    CallDirectory directory,
    OpenViduClient openVidu,
    IDbContextFactory<ApplicationDbContext> contexts,
    AuditLog audit,
    TimeProvider clock,
    ILogger<CallRecordings> logger) : IOpenViduEventListener, IDisposable
{
    private readonly Lock gate = new();
    private readonly SemaphoreSlim writes = new(1, 1);
    private readonly Dictionary<string, ActiveRecording> active = new(StringComparer.Ordinal);

    // Recordings seen ending, by id, with the start of the recording that ended: a "started" report that arrives after
    // its "stopped" (the webhook and the pages race the app's own stop) must not show it again. OpenVidu may give a
    // deleted recording's id to a new one, which starts later and so is shown. Bounded: the oldest are forgotten.
    private readonly Dictionary<string, DateTimeOffset> ended = new(StringComparer.Ordinal);
    private readonly Queue<string> endedOrder = new();
    private const int EndedRemembered = 1024;
    private bool? enabled;

    /// <summary>Raised with the session name whenever a call starts or stops being recorded (on the changer's thread).</summary>
    public event Action<string>? Changed;

    /// <summary>False once OpenVidu said recording is disabled (config, or a 501); null until asked.</summary>
    public bool? Enabled
    {
        get
        {
            lock (gate)
            {
                return enabled;
            }
        }
    }

    public ActiveRecording? Current(string sessionName)
    {
        lock (gate)
        {
            return active.GetValueOrDefault(sessionName);
        }
    }

    /// <summary>Asks OpenVidu once whether it records (<c>GET /config</c>); a page calls it before offering the button.</summary>
    public async Task<bool> IsEnabledAsync(CancellationToken cancellationToken = default)
    {
        if (Enabled is { } known)
        {
            return known;
        }

        try
        {
            var config = await openVidu.GetConfigAsync(cancellationToken);
            SetEnabled(config.Recording);
            return config.Recording;
        }
        catch (Exception e) when (e is OpenViduException or OpenViduUnavailableException)
        {
            // Unknown for now: offer the button, and let a 501 settle it.
            LogConfigUnavailable(e);
            return true;
        }
    }

    public Task<bool> CanRecordAsync(ClaimsPrincipal actor, string sessionName, CancellationToken cancellationToken = default) =>
        moderation.CanModerateAsync(actor, sessionName, cancellationToken);

    public async Task<RecordingResult> StartAsync(ClaimsPrincipal actor, string sessionName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!await CanRecordAsync(actor, sessionName, cancellationToken))
        {
            LogRefused(actor.Identity?.Name ?? "anonymous", sessionName);
            return new RecordingResult(false, RecordingMessages.NotAllowed);
        }

        Recording recording;
        try
        {
            recording = await openVidu.StartRecordingAsync(new RecordingProperties(sessionName), cancellationToken);
        }
        catch (OpenViduException e)
        {
            if (e.Status == HttpStatusCode.Conflict)
            {
                await RefreshAsync(sessionName, cancellationToken);
            }

            return new RecordingResult(false, Refusal(e));
        }
        catch (OpenViduUnavailableException e)
        {
            return new RecordingResult(false, e.Message);
        }

        var startedAt = DateTimeOffset.FromUnixTimeMilliseconds(recording.CreatedAt);
        Observe(sessionName, new ActiveRecording(recording.Id, startedAt));
        var incarnation = directory.LiveIncarnation(sessionName);
        await SaveAsync(recording.Id, entry =>
        {
            entry.SessionName = sessionName;
            entry.StartedBy = actor.Identity?.Name;
            entry.StartedAt = startedAt.UtcDateTime;
            entry.CallId ??= incarnation is { } i ? CallDirectory.CallIdOf(i) : null;
            entry.Status = recording.Status;
        });
        LogStarted(actor.Identity?.Name ?? "?", sessionName, recording.Id);
        await AuditAsync(actor, AuditActions.StartRecording, sessionName, $"recording {recording.Id}");
        return new RecordingResult(true, RecordingMessages.Started);
    }

    public async Task<RecordingResult> StopAsync(ClaimsPrincipal actor, string sessionName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!await CanRecordAsync(actor, sessionName, cancellationToken))
        {
            LogRefused(actor.Identity?.Name ?? "anonymous", sessionName);
            return new RecordingResult(false, RecordingMessages.NotAllowed);
        }

        var current = Current(sessionName) ?? await RefreshAsync(sessionName, cancellationToken);
        if (current is null)
        {
            return new RecordingResult(false, RecordingMessages.NotRecording);
        }

        Recording recording;
        try
        {
            recording = await openVidu.StopRecordingAsync(current.Id, cancellationToken);
        }
        catch (OpenViduException e)
        {
            if (e.Status is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
            {
                Forget(sessionName, current.Id);
            }

            return new RecordingResult(false, e.Status == HttpStatusCode.NotAcceptable ? RecordingMessages.StillStarting : Refusal(e));
        }
        catch (OpenViduUnavailableException e)
        {
            return new RecordingResult(false, e.Message);
        }

        Forget(sessionName, recording.Id);
        await SaveAsync(recording.Id, entry =>
        {
            entry.SessionName = sessionName;
            entry.Status = recording.Status;
            entry.StoppedAt = clock.GetUtcNow().UtcDateTime;
            entry.DurationSeconds = recording.Duration;
        });
        LogStopped(actor.Identity?.Name ?? "?", sessionName, recording.Id);
        await AuditAsync(actor, AuditActions.StopRecording, sessionName, $"recording {recording.Id}");
        return new RecordingResult(true, RecordingMessages.Stopped);
    }

    /// <summary>Asks OpenVidu which recording of the call is running (after a 409, or before a stop the app did not see start).</summary>
    private async Task<ActiveRecording?> RefreshAsync(string sessionName, CancellationToken cancellationToken)
    {
        try
        {
            var running = (await openVidu.ListRecordingsAsync(cancellationToken))
                .FirstOrDefault(r => r.SessionId == sessionName && r.Status is "started" or "starting");
            if (running is null)
            {
                return null;
            }

            var found = new ActiveRecording(running.Id, DateTimeOffset.FromUnixTimeMilliseconds(running.CreatedAt));
            Observe(sessionName, found);
            return found;
        }
        catch (Exception e) when (e is OpenViduException or OpenViduUnavailableException)
        {
            LogLookupFailed(e, sessionName);
            return null;
        }
    }

    private string Refusal(OpenViduException e)
    {
        switch (e.Status)
        {
            case HttpStatusCode.NotImplemented:
                SetEnabled(false);
                return RecordingMessages.Disabled;
            case HttpStatusCode.Conflict:
                return RecordingMessages.Conflict;
            case HttpStatusCode.NotAcceptable:
                return RecordingMessages.NotAcceptable;
            case HttpStatusCode.UnprocessableEntity:
                return RecordingMessages.Unprocessable;
            case HttpStatusCode.NotFound:
                return RecordingMessages.NotFound;
            default:
                return e.UserMessage;
        }
    }

    private void SetEnabled(bool value)
    {
        lock (gate)
        {
            enabled = value;
        }
    }

    private void Observe(string sessionName, ActiveRecording recording)
    {
        lock (gate)
        {
            if (active.GetValueOrDefault(sessionName) == recording
                || (ended.TryGetValue(recording.Id, out var endedStart) && recording.StartedAt <= endedStart))
            {
                return;
            }

            active[sessionName] = recording;
        }

        Raise(sessionName);
    }

    private void Forget(string sessionName, string recordingId)
    {
        lock (gate)
        {
            var current = active.GetValueOrDefault(sessionName);
            RememberEnded(recordingId, current?.Id == recordingId ? current.StartedAt : clock.GetUtcNow());
            if (current?.Id != recordingId)
            {
                return;
            }

            active.Remove(sessionName);
        }

        Raise(sessionName);
    }

    private void RememberEnded(string recordingId, DateTimeOffset startedAt)
    {
        if (ended.TryAdd(recordingId, startedAt))
        {
            endedOrder.Enqueue(recordingId);
            if (endedOrder.Count > EndedRemembered)
            {
                ended.Remove(endedOrder.Dequeue());
            }
        }
        else if (startedAt > ended[recordingId])
        {
            ended[recordingId] = startedAt;
        }
    }

    private void Raise(string sessionName)
    {
        try
        {
            Changed?.Invoke(sessionName);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            LogListenerFailed(e, sessionName);
        }
    }

    [LoggerMessage(EventId = 7000, Level = LogLevel.Information, Message = "{Actor} started recording {SessionName} ({RecordingId})")]
    private partial void LogStarted(string actor, string sessionName, string recordingId);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "{Actor} stopped recording {SessionName} ({RecordingId})")]
    private partial void LogStopped(string actor, string sessionName, string recordingId);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "Refused a recording action by {Actor} in {SessionName}")]
    private partial void LogRefused(string actor, string sessionName);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "Could not store recording {RecordingId}")]
    private partial void LogSaveFailed(Exception exception, string recordingId);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Debug, Message = "Could not ask OpenVidu about recording(s) of {What}")]
    private partial void LogLookupFailed(Exception exception, string what);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Debug, Message = "Could not read OpenVidu's config to learn whether it records")]
    private partial void LogConfigUnavailable(Exception exception);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Error, Message = "A recording listener failed on a change of {SessionName}")]
    private partial void LogListenerFailed(Exception exception, string sessionName);
}
