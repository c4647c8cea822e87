using OpenViduServerSide.Features.Calls;

namespace Microsoft.Extensions.DependencyInjection;

public static class CallsServiceCollectionExtensions
{
    /// <summary>Each circuit's call state and browser bridge (scoped); the shared directory of calls is <c>AddDirectory</c>'s.</summary>
    public static IHostApplicationBuilder AddCalls(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<OpenViduInterop>();
        builder.Services.AddScoped<CallState>();
        return builder;
    }
}
