using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenViduEmulator.State;
using static OpenViduEmulator.Rest.RestResults;

namespace OpenViduEmulator.Rest;

/// <summary>/openvidu/api/sessions, /signal and /tokens (contract §1.5).</summary>
internal static partial class SessionEndpoints
{
    private static readonly string[] MediaModes = ["ROUTED", "RELAYED"];
    private static readonly string[] RecordingModes = ["MANUAL", "ALWAYS"];
    private static readonly string[] VideoCodecs = ["MEDIA_SERVER_PREFERRED", "NONE", "VP8", "VP9", "H264"];
    private static readonly string[] Roles = ["SUBSCRIBER", "PUBLISHER", "MODERATOR"];
    private static readonly string[] OutputModes = ["COMPOSED", "INDIVIDUAL", "COMPOSED_QUICK_START"];
    private static readonly string[] Layouts = ["BEST_FIT", "PICTURE_IN_PICTURE", "VERTICAL_PRESENTATION", "HORIZONTAL_PRESENTATION", "CUSTOM"];

    [GeneratedRegex(@"^[a-zA-Z0-9_-]+\z")]
    private static partial Regex CustomSessionIdPattern();

    public static void MapSessionEndpoints(this IEndpointRouteBuilder api, EmulatorEngine engine)
    {
        api.MapPost("/sessions", (HttpRequest request) => CreateSessionAsync(request.HttpContext, engine));
        api.MapGet("/sessions", (HttpContext ctx) => engine.Read(() =>
            Json(JsonShapes.Page(engine.SessionsLocked.Select(s =>
                JsonShapes.Session(s, Flag(ctx, "pendingConnections", false), Flag(ctx, "webRtcStats", false)))))));
        api.MapGet("/sessions/{sessionId}", (HttpContext ctx, string sessionId) => engine.Read(() =>
            engine.FindSessionLocked(sessionId) is { } s
                ? Json(JsonShapes.Session(s, Flag(ctx, "pendingConnections", false), Flag(ctx, "webRtcStats", false)))
                : Empty(StatusCodes.Status404NotFound)));
        api.MapDelete("/sessions/{sessionId}", (string sessionId) => engine.Mutate(() =>
        {
            if (engine.FindSessionLocked(sessionId) is not { } s)
            {
                return Empty(StatusCodes.Status404NotFound);
            }

            engine.CloseSessionByServerLocked(s);
            return Empty(StatusCodes.Status204NoContent);
        }));

        api.MapPost("/sessions/{sessionId}/connection", (HttpContext ctx, string sessionId) => CreateConnectionAsync(ctx, engine, sessionId));
        api.MapGet("/sessions/{sessionId}/connection", (HttpContext ctx, string sessionId) => engine.Read(() =>
            engine.FindSessionLocked(sessionId) is { } s
                ? Json(JsonShapes.Page(s.Connections
                    .Where(c => c.IsActive || Flag(ctx, "pendingConnections", true))
                    .Select(c => JsonShapes.Connection(c, Flag(ctx, "webRtcStats", false)))))
                : Empty(StatusCodes.Status404NotFound)));
        api.MapGet("/sessions/{sessionId}/connection/{connectionId}", (HttpContext ctx, string sessionId, string connectionId) => engine.Read(() =>
            engine.FindSessionLocked(sessionId) is not { } s ? Empty(StatusCodes.Status400BadRequest)
            : s.FindConnection(connectionId) is not { } c ? Empty(StatusCodes.Status404NotFound)
            : Json(JsonShapes.Connection(c, Flag(ctx, "webRtcStats", false)))));
        api.MapDelete("/sessions/{sessionId}/connection/{connectionId}", (string sessionId, string connectionId) => engine.Mutate(() =>
        {
            if (engine.FindSessionLocked(sessionId) is not { } s)
            {
                return Empty(StatusCodes.Status400BadRequest);
            }

            if (s.FindConnection(connectionId) is not { } c)
            {
                return Empty(StatusCodes.Status404NotFound);
            }

            if (c.IsActive)
            {
                engine.EvictLocked(c, "forceDisconnectByServer");
            }
            else
            {
                s.Connections.Remove(c);
            }

            return Empty(StatusCodes.Status204NoContent);
        }));
        api.MapDelete("/sessions/{sessionId}/stream/{streamId}", (string sessionId, string streamId) => engine.Mutate(() =>
        {
            if (engine.FindSessionLocked(sessionId) is not { } s)
            {
                return Empty(StatusCodes.Status400BadRequest);
            }

            var publisher = s.ActiveConnections.FirstOrDefault(c => c.Stream?.Id == streamId);
            if (!s.Active || publisher is null)
            {
                return Empty(StatusCodes.Status404NotFound);
            }

            engine.StopPublishingLocked(publisher, "forceUnpublishByServer", notify: true, includePublisher: true);
            return Empty(StatusCodes.Status204NoContent);
        }));

        api.MapPost("/signal", (HttpRequest request) => SignalAsync(request.HttpContext, engine));
        api.MapPost("/tokens", (HttpRequest request) => CreateTokenAsync(request.HttpContext, engine));
    }

    private static bool Flag(HttpContext ctx, string name, bool defaultValue) =>
        ctx.Request.Query.TryGetValue(name, out var value) && value.Count > 0
            ? string.Equals(value[0], "true", StringComparison.OrdinalIgnoreCase)
            : defaultValue;

    private static async Task<IResult> CreateSessionAsync(HttpContext ctx, EmulatorEngine engine)
    {
        var body = await RequestBody.ReadAsync(ctx.Request);
        if (body is null)
        {
            return Error(ctx, 400, "Request body must be a JSON object");
        }

        if (!body.TryString("mediaMode", out var mediaMode) || !body.TryString("recordingMode", out var recordingMode)
            || !body.TryString("customSessionId", out var customSessionId) || !body.TryString("forcedVideoCodec", out var codec)
            || !body.TryBool("allowTranscoding", out var allowTranscoding) || !body.TryObject("defaultRecordingProperties", out var recordingProps))
        {
            return Error(ctx, 400, "Type error in some parameter");
        }

        if (mediaMode is not null && !MediaModes.Contains(mediaMode))
        {
            return Error(ctx, 400, $"Parameter 'mediaMode' {mediaMode} is not defined");
        }

        if (recordingMode is not null && !RecordingModes.Contains(recordingMode))
        {
            return Error(ctx, 400, $"Parameter 'recordingMode' {recordingMode} is not defined");
        }

        if (codec is not null && !VideoCodecs.Contains(codec))
        {
            return Error(ctx, 400, $"Parameter 'forcedVideoCodec' {codec} is not defined");
        }

        if (!string.IsNullOrEmpty(customSessionId) && !CustomSessionIdPattern().IsMatch(customSessionId))
        {
            return Error(ctx, 400, "Parameter 'customSessionId' is wrong. Must be an alphanumeric string [a-zA-Z0-9_-]");
        }

        var defaults = RecordingProperties(recordingProps, out var recordingError);
        if (defaults is null)
        {
            return Error(ctx, 400, recordingError ?? "Parameter 'defaultRecordingProperties' is wrong");
        }

        return engine.Mutate(() =>
        {
            var custom = customSessionId ?? "";
            if (custom.Length > 0 && engine.FindSessionLocked(custom) is not null)
            {
                return Empty(StatusCodes.Status409Conflict);
            }

            var id = custom.Length > 0 ? custom : Ids.NewSessionId();
            var session = engine.AddSessionLocked(new EmulatedSession(id, custom, Ids.NextSessionCreatedAt())
            {
                MediaMode = mediaMode ?? "ROUTED",
                RecordingMode = recordingMode ?? "MANUAL",
                ForcedVideoCodec = codec ?? "MEDIA_SERVER_PREFERRED",
                AllowTranscoding = allowTranscoding ?? false,
                DefaultRecordingProperties = defaults,
            });
            return Json(JsonShapes.Session(session, pendingConnections: false, webRtcStats: false));
        });
    }

    private static JsonObject? RecordingProperties(JsonObject? given, out string? error)
    {
        error = null;
        var result = JsonShapes.DefaultRecordingProperties();
        if (given is null)
        {
            return result;
        }

        foreach (var (key, value) in given)
        {
            var kind = value?.GetValueKind();
            var ok = key switch
            {
                "name" or "resolution" or "customLayout" or "mediaNode" => kind is JsonValueKind.String or JsonValueKind.Object,
                "hasAudio" or "hasVideo" or "ignoreFailedStreams" => kind is JsonValueKind.True or JsonValueKind.False,
                "frameRate" or "shmSize" => kind is JsonValueKind.Number,
                "outputMode" => kind is JsonValueKind.String && OutputModes.Contains(value!.GetValue<string>()),
                "recordingLayout" => kind is JsonValueKind.String && Layouts.Contains(value!.GetValue<string>()),
                _ => true,
            };
            if (!ok)
            {
                error = $"Parameter 'defaultRecordingProperties.{key}' is wrong";
                return null;
            }

            if (key is "name" or "hasAudio" or "hasVideo" or "outputMode" or "recordingLayout" or "resolution" or "frameRate" or "shmSize" or "customLayout" or "ignoreFailedStreams")
            {
                result[key] = value!.DeepClone();
            }
        }

        return result;
    }

    private sealed record ConnectionRequest(string Data, bool Record, string Role, JsonObject? KurentoOptions, JsonArray CustomIceServers);

    /// <summary>Validates the connection/token properties; returns the error message or null.</summary>
    private static string? ParseConnection(RequestBody body, out ConnectionRequest? request)
    {
        request = null;
        if (!body.TryString("type", out var type) || !body.TryString("data", out var data) || !body.TryBool("record", out var record)
            || !body.TryString("role", out var role) || !body.TryObject("kurentoOptions", out var kurento) || !body.TryArray("customIceServers", out var ice))
        {
            return "Type error in some parameter";
        }

        if (type is not null and not "WEBRTC")
        {
            return type == "IPCAM"
                ? "IPCAM connections are not supported by the OpenVidu emulator"
                : $"Parameter 'type' {type} is not defined";
        }

        if (role is not null && !Roles.Contains(role))
        {
            return $"Parameter role {role} is not defined";
        }

        var iceServers = new JsonArray();
        foreach (var server in ice ?? [])
        {
            if (server is not JsonObject s || s["url"] is not JsonValue url || url.GetValueKind() != JsonValueKind.String)
            {
                return "Parameter 'customIceServers' is wrong: each element needs a string 'url'";
            }

            iceServers.Add(s.DeepClone());
        }

        request = new ConnectionRequest(data ?? "", record ?? true, role ?? "PUBLISHER", kurento?.DeepClone().AsObject(), iceServers);
        return null;
    }

    private static EmulatedConnection AddConnectionLocked(EmulatorEngine engine, EmulatedSession session, ConnectionRequest request)
    {
        var tokenId = Ids.NewTokenId();
        var connection = new EmulatedConnection(session, Ids.NewConnectionId(), tokenId,
            $"{engine.WsUrl}?sessionId={Uri.EscapeDataString(session.Id)}&token={tokenId}", Ids.NowMs())
        {
            ServerData = request.Data,
            Record = request.Record,
            Role = request.Role,
            KurentoOptions = request.KurentoOptions,
            CustomIceServers = request.CustomIceServers,
        };
        session.Connections.Add(connection);
        return connection;
    }

    private static async Task<IResult> CreateConnectionAsync(HttpContext ctx, EmulatorEngine engine, string sessionId)
    {
        var body = await RequestBody.ReadAsync(ctx.Request);
        if (body is null)
        {
            return Error(ctx, 400, "Request body must be a JSON object");
        }

        if (ParseConnection(body, out var request) is { } error)
        {
            return Error(ctx, 400, error);
        }

        return engine.Mutate(() => engine.FindSessionLocked(sessionId) is { } session
            ? Json(JsonShapes.Connection(AddConnectionLocked(engine, session, request!), webRtcStats: false))
            : Empty(StatusCodes.Status404NotFound));
    }

    private static async Task<IResult> CreateTokenAsync(HttpContext ctx, EmulatorEngine engine)
    {
        var body = await RequestBody.ReadAsync(ctx.Request);
        if (body is null)
        {
            return Error(ctx, 400, "Request body must be a JSON object");
        }

        if (!body.TryString("session", out var sessionId) || sessionId is null)
        {
            return Error(ctx, 400, "Parameter 'session' is mandatory and must be a string");
        }

        if (ParseConnection(body, out var request) is { } error)
        {
            return Error(ctx, 400, error);
        }

        return engine.Mutate(() =>
        {
            if (engine.FindSessionLocked(sessionId) is not { } session)
            {
                return Error(ctx, 404, $"Session {sessionId} not found");
            }

            var c = AddConnectionLocked(engine, session, request!);
            var json = new JsonObject
            {
                ["id"] = c.Token,
                ["token"] = c.Token,
                ["createdAt"] = c.CreatedAt,
                ["connectionId"] = c.Id,
                ["session"] = session.Id,
                ["data"] = c.ServerData,
                ["role"] = c.Role,
            };
            if (c.KurentoOptions is not null)
            {
                json["kurentoOptions"] = c.KurentoOptions.DeepClone();
            }

            return Json(json);
        });
    }

    private static async Task<IResult> SignalAsync(HttpContext ctx, EmulatorEngine engine)
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

        if (!body.TryString("type", out var type) || !body.TryString("data", out var data))
        {
            return Error(ctx, 400, "\"type\" and \"data\" parameters must be strings");
        }

        if (!body.TryArray("to", out var to) || to?.Any(n => n is not JsonValue v || v.GetValueKind() != JsonValueKind.String) == true)
        {
            return Error(ctx, 400, "\"to\" parameter must be an array of strings");
        }

        var recipients = to?.Select(n => n!.GetValue<string>()).ToList() ?? [];
        return engine.Mutate(() =>
        {
            if (engine.FindSessionLocked(sessionId) is not { } session)
            {
                return Empty(StatusCodes.Status404NotFound);
            }

            var active = session.ActiveConnections.ToList();
            if (active.Count == 0)
            {
                return Empty(StatusCodes.Status406NotAcceptable);
            }

            List<EmulatedConnection> targets = active;
            if (recipients.Count > 0)
            {
                targets = [.. recipients.Select(id => active.Find(c => c.Id == id)).OfType<EmulatedConnection>()];
                if (targets.Count != recipients.Count)
                {
                    return Error(ctx, 406, "\"to\" array has no valid connection identifiers");
                }
            }

            engine.SendSignalLocked(session, from: null, targets, type, data);
            return Results.Ok();
        });
    }
}
