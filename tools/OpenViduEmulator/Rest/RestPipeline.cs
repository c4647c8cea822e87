using System.Text;
using Microsoft.Extensions.Primitives;

namespace OpenViduEmulator.Rest;

/// <summary>
/// What runs before the REST endpoints: deprecated path rewriting, CORS, the test faults (latency, forced
/// failures) and HTTP Basic authentication (contract §1.1).
/// </summary>
internal static class RestPipeline
{
    public const string ApiPrefix = "/openvidu/api";
    private const string PublicUrlPath = ApiPrefix + "/config/openvidu-publicurl";

    public static IApplicationBuilder UseOpenViduRest(this IApplicationBuilder app, string secret, RestFaults faults)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("OPENVIDUAPP:" + secret));

        app.Use(async (ctx, next) =>
        {
            RewriteDeprecatedPath(ctx.Request);
            var path = ctx.Request.Path;
            if (!path.StartsWithSegments(ApiPrefix, StringComparison.Ordinal))
            {
                await next(ctx);
                return;
            }

            // CORS: all origins, headers and methods.
            var origin = ctx.Request.Headers.Origin;
            if (!StringValues.IsNullOrEmpty(origin))
            {
                ctx.Response.Headers.AccessControlAllowOrigin = origin;
                ctx.Response.Headers.AccessControlAllowCredentials = "true";
                ctx.Response.Headers.Vary = "Origin";
            }

            if (HttpMethods.IsOptions(ctx.Request.Method) && ctx.Request.Headers.ContainsKey("Access-Control-Request-Method"))
            {
                ctx.Response.Headers.AccessControlAllowMethods = ctx.Request.Headers.AccessControlRequestMethod;
                ctx.Response.Headers.AccessControlAllowHeaders = ctx.Request.Headers.AccessControlRequestHeaders;
                ctx.Response.StatusCode = StatusCodes.Status200OK;
                return;
            }

            var latency = faults.Latency;
            if (latency > TimeSpan.Zero)
            {
                await Task.Delay(latency, ctx.RequestAborted);
            }

            if (faults.TakeFailure() is { } failure)
            {
                await RestResults.WriteErrorAsync(ctx, failure, "Failure injected by the OpenVidu emulator");
                return;
            }

            var isPublic = path.Equals(PublicUrlPath, StringComparison.Ordinal)
                && (HttpMethods.IsGet(ctx.Request.Method) || HttpMethods.IsHead(ctx.Request.Method));
            if (!isPublic && !string.Equals(ctx.Request.Headers.Authorization, expected, StringComparison.Ordinal))
            {
                ctx.Response.Headers.WWWAuthenticate = "Basic realm=\"Realm\"";
                await RestResults.WriteErrorAsync(ctx, StatusCodes.Status401Unauthorized, "Unauthorized");
                return;
            }

            if (faults.TakeAnswerDelay() is { } answerDelay)
            {
                // OpenVidu does the work, then answers late: the client may give up, but what it asked for exists.
                await AnswerLateAsync(ctx, next, answerDelay);
                return;
            }

            await next(ctx);
        });
        return app;
    }

    private static async Task AnswerLateAsync(HttpContext ctx, RequestDelegate next, TimeSpan delay)
    {
        var original = ctx.Response.Body;
        await using var buffer = new MemoryStream();
        ctx.Response.Body = buffer;
        try
        {
            // Not tied to RequestAborted: the work must complete even when the client hangs up.
            await next(ctx);
            await Task.Delay(delay, CancellationToken.None);
        }
        finally
        {
            ctx.Response.Body = original;
        }

        if (!ctx.RequestAborted.IsCancellationRequested)
        {
            buffer.Position = 0;
            await buffer.CopyToAsync(original, ctx.RequestAborted);
        }
    }

    /// <summary>SUPPORT_DEPRECATED_API=true: /api/**, /config/** and /cdr/** are served as /openvidu/api/**.</summary>
    private static void RewriteDeprecatedPath(HttpRequest request)
    {
        var path = request.Path;
        if (path.StartsWithSegments("/api", StringComparison.Ordinal, out var rest))
        {
            request.Path = new PathString(ApiPrefix).Add(rest);
        }
        else if (path.StartsWithSegments("/config", StringComparison.Ordinal) || path.StartsWithSegments("/cdr", StringComparison.Ordinal))
        {
            request.Path = new PathString(ApiPrefix).Add(path);
        }
    }
}

/// <summary>Latency and forced failures injected into REST requests by the test controls. Thread-safe.</summary>
internal sealed class RestFaults
{
    private readonly Lock gate = new();
    private TimeSpan latency;
    private int failuresLeft;
    private int failureStatus;
    private int lateAnswersLeft;
    private TimeSpan lateAnswerDelay;

    public TimeSpan Latency
    {
        get
        {
            lock (gate)
            {
                return latency;
            }
        }

        set
        {
            lock (gate)
            {
                latency = value;
            }
        }
    }

    public void FailNext(int count, int statusCode)
    {
        lock (gate)
        {
            failuresLeft = count;
            failureStatus = statusCode;
        }
    }

    public void DelayNextAnswers(int count, TimeSpan delay)
    {
        lock (gate)
        {
            lateAnswersLeft = count;
            lateAnswerDelay = delay;
        }
    }

    /// <summary>How long to hold this request's answer after doing its work, or null to answer at once.</summary>
    public TimeSpan? TakeAnswerDelay()
    {
        lock (gate)
        {
            if (lateAnswersLeft <= 0)
            {
                return null;
            }

            lateAnswersLeft--;
            return lateAnswerDelay;
        }
    }

    /// <summary>The status to fail this request with, or null to serve it.</summary>
    public int? TakeFailure()
    {
        lock (gate)
        {
            if (failuresLeft <= 0)
            {
                return null;
            }

            failuresLeft--;
            return failureStatus;
        }
    }
}
