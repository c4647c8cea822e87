using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using OpenViduEmulator.State;

namespace OpenViduEmulator.Rest;

/// <summary>How OpenVidu answers: JSON bodies, bare status codes, and Spring-style error bodies (contract §1.1).</summary>
internal static class RestResults
{
    public static IResult Json(JsonNode body, int statusCode = StatusCodes.Status200OK) =>
        Results.Text(JsonText.Write(body), "application/json", statusCode: statusCode);

    /// <summary>A status code with no body at all (OpenVidu's 404/409/406… on the session endpoints).</summary>
    public static IResult Empty(int statusCode) => Results.StatusCode(statusCode);

    public static IResult Error(HttpContext context, int statusCode, string message) =>
        Json(ErrorBody(statusCode, message, context.Request.Path), statusCode);

    public static JsonObject ErrorBody(int statusCode, string message, string path) => new()
    {
        ["timestamp"] = Ids.NowMs(),
        ["status"] = statusCode,
        ["error"] = ReasonPhrases.GetReasonPhrase(statusCode),
        ["message"] = message,
        ["path"] = path,
    };

    public static Task WriteErrorAsync(HttpContext context, int statusCode, string message)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonText.Write(ErrorBody(statusCode, message, context.Request.Path)));
    }
}
