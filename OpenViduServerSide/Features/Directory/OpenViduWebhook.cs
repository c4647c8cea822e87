using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenViduServerSide.OpenVidu;

namespace OpenViduServerSide.Features.Directory;

/// <summary>
/// <c>POST /openvidu/webhook</c>: OpenVidu's events (contract §2) fed into <see cref="CallDirectory"/>. OpenVidu signs
/// nothing, so the request must carry the configured header (OPENVIDU_WEBHOOK_HEADERS). OpenVidu posts one event at a
/// time and drops any that does not get a 200, so the handler only updates memory and answers at once; history is
/// written in the background.
/// </summary>
public static partial class OpenViduWebhook
{
    public const string Path = "/openvidu/webhook";

    internal static IEndpointRouteBuilder MapOpenViduWebhook(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Path, HandleAsync).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> HandleAsync(HttpContext context, IOptions<OpenViduOptions> options, CallDirectory directory, TimeProvider clock, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(OpenViduWebhook).FullName!);
        if (!IsAuthentic(context.Request, options.Value.Webhook))
        {
            context.RequestServices.GetRequiredService<WebhookRefusals>().Refused(context.Connection.RemoteIpAddress?.ToString() ?? "?");
            // With a body, so the app's status-code pages leave the answer alone.
            return Results.Problem(statusCode: 401, title: "The webhook authentication header is missing or wrong.");
        }

        JsonDocument body;
        try
        {
            body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException e)
        {
            LogMalformed(logger, e.Message);
            return Results.Problem(statusCode: 400, title: "The webhook body is not JSON.", detail: e.Message);
        }

        using (body)
        {
            if (!WebhookEvent.TryRead(body.RootElement, out var webhook, out var problem))
            {
                LogMalformed(logger, problem);
                return Results.Problem(statusCode: 400, title: "The webhook body is not an OpenVidu event.", detail: problem);
            }

            if (!webhook.ApplyTo(directory, clock, out problem))
            {
                LogMalformed(logger, problem);
                return Results.Problem(statusCode: 400, title: $"The {webhook.Name} event lacks a field.", detail: problem);
            }

            foreach (var listener in context.RequestServices.GetServices<IOpenViduEventListener>())
            {
                listener.OnEvent(webhook.Name, body.RootElement);
            }

            // OpenVidu posts to one instance; the others of the deployment need it too.
            await context.RequestServices.GetRequiredService<DirectoryReplication>().ForwardWebhookAsync(body.RootElement);

            LogReceived(logger, webhook.Name, webhook.SessionId ?? "-");
            return Results.Ok();
        }
    }

    private static bool IsAuthentic(HttpRequest request, WebhookOptions expected)
    {
        if (string.IsNullOrEmpty(expected.HeaderName) || string.IsNullOrEmpty(expected.HeaderValue))
        {
            // Unconfigured means nobody can prove they are OpenVidu.
            return false;
        }

        var actual = request.Headers[expected.HeaderName].ToString();
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(actual), Encoding.UTF8.GetBytes(expected.HeaderValue));
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Refused a malformed webhook: {Problem}")]
    private static partial void LogMalformed(ILogger logger, string problem);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Debug, Message = "Webhook {Event} for {SessionId}")]
    private static partial void LogReceived(ILogger logger, string @event, string sessionId);
}

/// <summary>One webhook body, read leniently: OpenVidu adds fields over versions, so only the ones used are required.</summary>
internal sealed record WebhookEvent(string Name, JsonElement Body)
{
    public string? SessionId => Text("sessionId");

    public static bool TryRead(JsonElement root, out WebhookEvent webhook, out string problem)
    {
        webhook = default!;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("event", out var name) || name.ValueKind != JsonValueKind.String)
        {
            problem = "Expected a JSON object with a string field 'event'.";
            return false;
        }

        webhook = new WebhookEvent(name.GetString()!, root);
        problem = "";
        return true;
    }

    /// <summary>
    /// Updates the directory; false (with the reason) when a needed field is missing. Unknown events change nothing. An
    /// event without OpenVidu's <c>timestamp</c> happened now, on the app's clock.
    /// </summary>
    public bool ApplyTo(CallDirectory directory, TimeProvider clock, out string problem)
    {
        problem = "";
        var at = Body.TryGetProperty("timestamp", out var ts) && ts.TryGetInt64(out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : clock.GetUtcNow();
        var connectionId = Text("connectionId") ?? Text("participantId");
        switch (Name)
        {
            case "participantJoined" when Require(SessionId, connectionId, out problem):
                directory.ParticipantJoined(SessionId!, Text("uniqueSessionId"), connectionId!, Text("serverData"), Text("clientData"), at);
                return true;
            case "participantLeft" when Require(SessionId, connectionId, out problem):
                directory.ParticipantLeft(SessionId!, connectionId!, Text("reason") ?? "", at);
                return true;
            case "sessionDestroyed" when Require(SessionId, "-", out problem):
                // The session's own startTime is its creation time, so it names the lifetime too when uniqueSessionId is absent.
                directory.SessionEnded(SessionId!, Text("uniqueSessionId") ?? StartTime(), Text("reason") ?? "", at);
                return true;
            case "webrtcConnectionCreated" or "webrtcConnectionDestroyed" when Require(SessionId, connectionId, out problem):
                // Only the publisher's own (OUTBOUND) stream says what it publishes; INBOUND ones are subscriptions.
                if (Text("connection") == "OUTBOUND")
                {
                    var created = Name == "webrtcConnectionCreated";
                    directory.StreamChanged(SessionId!, connectionId!, created ? Text("streamId") : null,
                        created && Flag("audioEnabled"), created && Flag("videoEnabled"), at);
                }

                return true;
            case "participantJoined" or "participantLeft" or "sessionDestroyed" or "webrtcConnectionCreated" or "webrtcConnectionDestroyed":
                return false;
            default:
                // sessionCreated, signalSent, recordingStatusChanged, …: nothing in the directory depends on them.
                return true;
        }
    }

    private string? Text(string field) => Body.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private string? StartTime() =>
        Body.TryGetProperty("startTime", out var value) && value.TryGetInt64(out var ms) ? $"{SessionId}_{ms}" : null;

    private bool Flag(string field) => Body.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.True;

    private bool Require(string? sessionId, string? connectionId, out string problem)
    {
        problem = sessionId is null ? $"{Name} needs a string 'sessionId'." : connectionId is null ? $"{Name} needs a string 'connectionId'." : "";
        return problem.Length == 0;
    }
}
