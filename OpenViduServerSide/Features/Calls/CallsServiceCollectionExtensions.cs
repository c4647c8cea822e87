using OpenViduServerSide.Features.Calls;

namespace Microsoft.Extensions.DependencyInjection;

public static class CallsServiceCollectionExtensions
{
    /// <summary>The shared directory of calls (singleton) and each circuit's call state and browser bridge (scoped).</summary>
    public static IHostApplicationBuilder AddCalls(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<UserCallRoles>();
        builder.Services.AddSingleton<SessionDirectory>();
        builder.Services.AddScoped<OpenViduInterop>();
        builder.Services.AddScoped<CallState>();
        builder.Services.AddHostedService<DirectoryReconciler>();
        return builder;
    }
}
