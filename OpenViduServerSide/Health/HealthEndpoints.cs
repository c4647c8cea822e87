using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenViduServerSide.Features.Accounts;
using OpenViduServerSide.Health;

namespace Microsoft.AspNetCore.Routing;

public static class HealthEndpoints
{
    /// <summary>
    /// <c>/health</c>: the process answers. <c>/health/ready</c>: every check tagged "ready" passes. Both are anonymous (load
    /// balancers and orchestrators probe them), so readiness shows only the overall status unless an Admin asks, and its
    /// checks run at most once per <see cref="ReadinessCache.Lifetime"/> however often it is called.
    /// </summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = (c, r) => WriteJson(c, r, details: false) })
            .AllowAnonymous();

        var services = endpoints.ServiceProvider;
        var readiness = new ReadinessCache(services.GetRequiredService<HealthCheckService>(), services.GetRequiredService<TimeProvider>());
        endpoints.MapGet("/health/ready", async (HttpContext context) =>
            {
                var report = await readiness.GetAsync(context.RequestAborted);
                context.Response.StatusCode = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
                context.Response.Headers.CacheControl = "no-store, no-cache";
                // Check descriptions name settings and failures; they are for the operator, not for whoever asks.
                await WriteJson(context, report, details: context.User.IsInRole(Roles.Admin));
            })
            .AllowAnonymous()
            .ExcludeFromDescription();
        return endpoints;
    }

    private static Task WriteJson(HttpContext context, HealthReport report, bool details)
    {
        context.Response.ContentType = "application/json";
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("status", report.Status.ToString());
            if (details)
            {
                json.WriteNumber("durationMs", Math.Round(report.TotalDuration.TotalMilliseconds, 1));
                json.WriteStartObject("checks");
                foreach (var (name, entry) in report.Entries)
                {
                    json.WriteStartObject(name);
                    json.WriteString("status", entry.Status.ToString());
                    json.WriteString("description", entry.Description ?? entry.Exception?.Message);
                    json.WriteEndObject();
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return context.Response.Body.WriteAsync(stream.ToArray()).AsTask();
    }
}
