using System.Net;
using System.Security.Claims;
using OpenViduServerSide.OpenVidu;

namespace OpenViduServerSide.Features.Recordings;

/// <summary>
/// <c>GET /recordings/{id}/file</c>: the recording's file, fetched from OpenVidu server side with the secret and streamed
/// through (nothing buffered), so OpenVidu's address is never shown to a browser. A <c>Range</c> header goes through and
/// OpenVidu's 206, <c>Content-Range</c> and <c>Accept-Ranges</c> come back, which is what lets a video element seek.
/// Only an Admin or someone who was in the recording's call gets it; anyone else gets 404, as for an id that does not
/// exist, so ids cannot be probed.
/// </summary>
public static partial class RecordingFileEndpoint
{
    public const string Path = "/recordings/{id}/file";

    public static string Url(string recordingId) => $"recordings/{Uri.EscapeDataString(recordingId)}/file";

    public static IEndpointRouteBuilder MapRecordingFile(this IEndpointRouteBuilder endpoints)
    {
        // The fallback policy already requires a signed-in user; the handler decides which recordings they may read.
        endpoints.MapGet(Path, ServeAsync);
        return endpoints;
    }

    private static async Task ServeAsync(
        string id, HttpContext context, ClaimsPrincipal user, RecordingLibrary library, OpenViduClient openVidu, ILogger<RecordingLibrary> logger)
    {
        var cancellationToken = context.RequestAborted;
        var response = context.Response;
        if (!await library.MayReadAsync(user, id, cancellationToken))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        try
        {
            // The file's name is the last part of OpenVidu's URL once the recording is ready (name.webm, name.mp4).
            var recording = await openVidu.GetRecordingAsync(id, cancellationToken);
            if (recording?.Url is not { } url || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Segments.Length == 0)
            {
                response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            var fileName = Uri.UnescapeDataString(uri.Segments[^1]);
            using var file = await openVidu.GetRecordingFileAsync(id, fileName, context.Request.Headers.Range.ToString(), cancellationToken);
            if (file.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.PartialContent or HttpStatusCode.RequestedRangeNotSatisfiable))
            {
                LogFileRefused(logger, (int)file.StatusCode, id);
                response.StatusCode = file.StatusCode == HttpStatusCode.NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status502BadGateway;
                return;
            }

            response.StatusCode = (int)file.StatusCode;
            response.ContentType = fileName.EndsWith(".mp4", StringComparison.OrdinalIgnoreCase) ? "video/mp4" : "video/webm";
            response.Headers.AcceptRanges = "bytes";
            response.ContentLength = file.Content.Headers.ContentLength;
            if (file.Content.Headers.ContentRange is { } range)
            {
                response.Headers.ContentRange = range.ToString();
            }

            response.Headers.CacheControl = "private, no-store";
            await using var body = await file.Content.ReadAsStreamAsync(cancellationToken);
            await body.CopyToAsync(response.Body, cancellationToken);
        }
        catch (Exception e) when (e is OpenViduException or OpenViduUnavailableException)
        {
            LogFileUnavailable(logger, e, id);
            if (!response.HasStarted)
            {
                response.StatusCode = StatusCodes.Status502BadGateway;
            }
        }
    }

    [LoggerMessage(EventId = 7012, Level = LogLevel.Warning, Message = "OpenVidu answered {Status} for the file of recording {RecordingId}")]
    private static partial void LogFileRefused(ILogger logger, int status, string recordingId);

    [LoggerMessage(EventId = 7013, Level = LogLevel.Warning, Message = "Could not fetch the file of recording {RecordingId} from OpenVidu")]
    private static partial void LogFileUnavailable(ILogger logger, Exception exception, string recordingId);
}
