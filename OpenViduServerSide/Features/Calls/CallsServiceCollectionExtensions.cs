using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenViduServerSide.Features.Accounts;
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
        // Also registered by AddAccounts; the interceptor below invalidates both caches.
        builder.Services.TryAddSingleton<AccountStates>();
        // Role, lockout and stamp changes saved through EF Core invalidate the caches, so they apply to the next join or request.
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
