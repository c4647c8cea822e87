using Microsoft.EntityFrameworkCore;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Calls;

namespace Microsoft.Extensions.DependencyInjection;

public static class CallsServiceCollectionExtensions
{
    /// <summary>The shared directory of calls (singleton) and each circuit's call state and browser bridge (scoped).</summary>
    public static IHostApplicationBuilder AddCalls(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<UserCallRoles>();
        // Role changes saved through EF Core invalidate the role cache, so they apply to the next join.
        builder.Services.AddSingleton<RoleChangeInterceptor>();
        builder.Services.ConfigureDbContext<ApplicationDbContext>((sp, options) => options.AddInterceptors(sp.GetRequiredService<RoleChangeInterceptor>()));
        builder.Services.AddOptions<CallLimits>().BindConfiguration(CallLimits.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<MintBudget>();
        builder.Services.AddSingleton<SessionDirectory>();
        builder.Services.AddScoped<OpenViduInterop>();
        builder.Services.AddScoped<CallState>();
        builder.Services.AddHostedService<DirectoryReconciler>();
        builder.Services.AddHostedService<PendingConnectionSweeper>();
        return builder;
    }
}
