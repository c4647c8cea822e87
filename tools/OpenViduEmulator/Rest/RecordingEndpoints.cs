using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenViduEmulator.Media;
using OpenViduEmulator.State;
using static OpenViduEmulator.Rest.RestResults;

namespace OpenViduEmulator.Rest;

/// <summary>
/// /openvidu/api/recordings (contract §1.5, with <c>OPENVIDU_RECORDING=true</c>) and the files at
/// /openvidu/recordings/{id}/{file} (basic auth, as OpenVidu without <c>OPENVIDU_RECORDING_PUBLIC_ACCESS</c>).
/// </summary>
internal static partial class RecordingEndpoints
{
    private static readonly string[] OutputModes = ["COMPOSED", "INDIVIDUAL", "COMPOSED_QUICK_START"];
    private static readonly string[] Layouts = ["BEST_FIT", "PICTURE_IN_PICTURE", "VERTICAL_PRESENTATION", "HORIZONTAL_PRESENTATION", "CUSTOM"];
    private const long MinShmSize = 134217728;

    [GeneratedRegex(@"^[a-zA-Z0-9_\-~]+\z")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^(\d{3,4})x(\d{3,4})\z")]
    private static partial Regex ResolutionPattern();

    public static void MapRecordingEndpoints(this IEndpointRouteBuilder api, EmulatorEngine engine)
    {
        api.MapPost("/recordings/start", (HttpRequest request) => StartAsync(request.HttpContext, engine));
        api.MapPost("/recordings/stop/{recordingId}", (string recordingId) => engine.Mutate(() =>
        {
            if (engine.FindRecordingLocked(recordingId) is not { } recording)
            {
                return Empty(StatusCodes.Status404NotFound);
            }

            return recording.Status switch
            {
                "starting" => Empty(StatusCodes.Status406NotAcceptable),
                "started" => StopAndAnswer(engine, recording),
                _ => Empty(StatusCodes.Status409Conflict),
            };
        }));
        api.MapGet("/recordings/{recordingId}", (string recordingId) => engine.Read(() =>
            engine.FindRecordingLocked(recordingId) is { } recording
                ? Json(engine.RecordingJson(recording))
                : Empty(StatusCodes.Status404NotFound)));
        api.MapGet("/recordings", () => engine.Read(() =>
        {
            var items = new JsonArray([.. engine.RecordingsLocked.Select(r => (JsonNode)engine.RecordingJson(r))]);
            return Json(new JsonObject { ["count"] = items.Count, ["items"] = items });
        }));
        api.MapDelete("/recordings/{recordingId}", (string recordingId) => engine.Mutate(() =>
        {
            if (engine.FindRecordingLocked(recordingId) is not { } recording)
            {
                return Empty(StatusCodes.Status404NotFound);
            }

            if (recording.Status is "starting" or "started")
            {
                return Empty(StatusCodes.Status409Conflict);
            }

            engine.DeleteRecordingLocked(recording);
            return Empty(StatusCodes.Status204NoContent);
        }));
    }

    /// <summary>The recorded files, with range requests, for the REST user only.</summary>
    public static void MapRecordingFiles(this IEndpointRouteBuilder app, EmulatorEngine engine, string secret)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("OPENVIDUAPP:" + secret));
        app.MapMethods("/openvidu/recordings/{recordingId}/{fileName}", ["GET", "HEAD"], (HttpContext ctx, string recordingId, string fileName) =>
        {
            if (!string.Equals(ctx.Request.Headers.Authorization, expected, StringComparison.Ordinal))
            {
                ctx.Response.Headers.WWWAuthenticate = "Basic realm=\"Realm\"";
                return Empty(StatusCodes.Status401Unauthorized);
            }

            var path = engine.Read(() => engine.FindRecordingLocked(recordingId) is { Status: "ready", FileName: { } file } recording && file == fileName
                ? Path.Combine(engine.RecordingFolder(recording), file)
                : null);
            return path is not null && File.Exists(path)
                ? Results.File(path, "video/webm", enableRangeProcessing: true)
                : Empty(StatusCodes.Status404NotFound);
        });
    }

    private static IResult StopAndAnswer(EmulatorEngine engine, EmulatedRecording recording)
    {
        engine.StopRecordingLocked(recording, "recordingStoppedByServer");
        return Json(engine.RecordingJson(recording));
    }

    private static async Task<IResult> StartAsync(HttpContext ctx, EmulatorEngine engine)
    {
        var body = await RequestBody.ReadAsync(ctx.Request);
        if (body is null)
        {
            return Error(ctx, 400, "Request body must be a JSON object");
        }

        if (!body.TryString("session", out var sessionId) || sessionId is null)
        {
            return Error(ctx, 400, "\"session\" parameter is mandatory and must be a string");
        }

        if (ParseProperties(body, out var given) is { } badParameter)
        {
            return Error(ctx, 400, badParameter);
        }

        EmulatedRecording? recording = null;
        var refusal = engine.Mutate(() =>
        {
            if (engine.FindSessionLocked(sessionId) is not { } session)
            {
                return Error(ctx, 404, $"Session {sessionId} not found");
            }

            if (session.MediaMode != "ROUTED")
            {
                return Error(ctx, 409, $"Session {sessionId} does not have mediaMode ROUTED");
            }

            if (session.Recording is not null)
            {
                return Error(ctx, 409, $"Session {sessionId} is already being recorded");
            }

            if (!session.ActiveConnections.Any())
            {
                return Error(ctx, 406, $"Session {sessionId} has no connected participants");
            }

            var properties = session.DefaultRecordingProperties.DeepClone().AsObject();
            foreach (var (key, value) in given)
            {
                properties[key] = value?.DeepClone();
            }

            if (Impossible(properties) is { } impossible)
            {
                return Error(ctx, 422, impossible);
            }

            recording = engine.AddRecordingLocked(session, properties);
            return null;
        });
        if (refusal is not null)
        {
            return refusal;
        }

        try
        {
            await engine.Media.StartRecordingAsync(recording!.SessionId, engine.RecordingFolder(recording));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JanusException or HttpRequestException or InvalidOperationException)
        {
            engine.Mutate(() => engine.MarkRecordingFailedLocked(recording!));
            return Error(ctx, 500, "Error starting the recording: " + ex.Message);
        }

        return engine.Mutate(() =>
        {
            engine.MarkRecordingStartedLocked(recording!);
            if (recording!.StopWhenStarted is { } reason)
            {
                engine.StopRecordingLocked(recording, reason);
            }

            return Json(engine.RecordingJson(recording));
        });
    }

    /// <summary>Type and value checks that OpenVidu answers with 400; returns the message or null.</summary>
    private static string? ParseProperties(RequestBody body, out JsonObject given)
    {
        given = [];
        if (!body.TryString("name", out var name) || !body.TryBool("hasAudio", out var hasAudio) || !body.TryBool("hasVideo", out var hasVideo)
            || !body.TryString("outputMode", out var outputMode) || !body.TryString("recordingLayout", out var layout)
            || !body.TryString("customLayout", out var customLayout) || !body.TryString("resolution", out var resolution)
            || !body.TryLong("frameRate", out var frameRate) || !body.TryLong("shmSize", out var shmSize)
            || !body.TryBool("ignoreFailedStreams", out var ignoreFailedStreams))
        {
            return "Type error in some parameter";
        }

        if (!string.IsNullOrEmpty(name) && !NamePattern().IsMatch(name))
        {
            return "Parameter 'name' is wrong. Must be an alphanumeric string [a-zA-Z0-9_-~]+";
        }

        if (outputMode is not null && !OutputModes.Contains(outputMode))
        {
            return $"Parameter 'outputMode' {outputMode} is not defined";
        }

        if (layout is not null && !Layouts.Contains(layout))
        {
            return $"Parameter 'recordingLayout' {layout} is not defined";
        }

        Add(given, "name", name);
        Add(given, "hasAudio", hasAudio);
        Add(given, "hasVideo", hasVideo);
        Add(given, "outputMode", outputMode);
        Add(given, "recordingLayout", layout);
        Add(given, "customLayout", customLayout);
        Add(given, "resolution", resolution);
        Add(given, "frameRate", frameRate);
        Add(given, "shmSize", shmSize);
        Add(given, "ignoreFailedStreams", ignoreFailedStreams);
        return null;
    }

    private static void Add<T>(JsonObject json, string key, T? value)
    {
        if (value is not null)
        {
            json[key] = JsonValue.Create(value);
        }
    }

    /// <summary>The combinations OpenVidu refuses with 422; returns the message or null.</summary>
    private static string? Impossible(JsonObject properties)
    {
        if (properties["hasAudio"]?.GetValue<bool>() == false && properties["hasVideo"]?.GetValue<bool>() == false)
        {
            return "Cannot start a recording with both \"hasAudio\" and \"hasVideo\" set to false";
        }

        if (properties["resolution"] is JsonValue r && r.GetValueKind() == JsonValueKind.String)
        {
            var match = ResolutionPattern().Match(r.GetValue<string>());
            if (!match.Success || !InRange(match.Groups[1].Value, 100, 1999) || !InRange(match.Groups[2].Value, 100, 1999))
            {
                return "Wrong \"resolution\" parameter. Acceptable values from 100 to 1999 for both width and height";
            }
        }

        if (properties["frameRate"] is JsonValue f && f.TryGetValue<long>(out var fps) && fps is < 1 or > 120)
        {
            return "Wrong \"frameRate\" parameter. Acceptable values are [1,120]";
        }

        if (properties["shmSize"] is JsonValue s && s.TryGetValue<long>(out var shm) && shm < MinShmSize)
        {
            return "Wrong \"shmSize\" parameter. Must be 134217728 (128 MB) minimum";
        }

        return null;
    }

    private static bool InRange(string number, int min, int max) =>
        int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max;
}
