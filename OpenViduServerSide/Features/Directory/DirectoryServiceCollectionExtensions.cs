using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Accounts;
using OpenViduServerSide.Features.Directory;

namespace Microsoft.Extensions.DependencyInjection;

public static class DirectoryServiceCollectionExtensions
{
    /// <summary>
    /// Who is in which call, server-wide (singletons): the directory, the connection issuer, the reconciler (run once at
    /// start-up), the sweeper of unused connections, and the role cache with the interceptor that invalidates it.
    /// </summary>
    public static IHostApplicationBuilder AddDirectory(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<UserCallRoles>();
        // Also registered by AddAccounts; the interceptor below invalidates both caches.
        services.TryAddSingleton<AccountStates>();
        // Role, lockout and stamp changes saved through EF Core invalidate the caches, so they apply to the next join or request.
        services.AddSingleton<RoleChangeInterceptor>();
        services.ConfigureDbContext<ApplicationDbContext>((sp, options) => options.AddInterceptors(sp.GetRequiredService<RoleChangeInterceptor>()));
        services.AddOptions<CallLimits>().BindConfiguration(CallLimits.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<MintBudget>();
        services.AddSingleton<CallDirectory>();
        services.AddSingleton<ConnectionIssuer>();
        // Several instances: the directories kept the same through Redis (nothing to do with one instance). Started
        // before the reconciler, so nothing another instance says after the start-up reconciliation's answer is missed.
        services.AddSingleton<DirectoryReplication>();
        services.AddHostedService(sp => sp.GetRequiredService<DirectoryReplication>());
        // One instance: the start-up run and the live calls page's "Refresh from OpenVidu".
        services.AddSingleton<DirectoryReconciler>();
        services.AddHostedService(sp => sp.GetRequiredService<DirectoryReconciler>());
        services.AddHostedService<PendingConnectionSweeper>();
        services.AddHealthChecks().AddCheck<InstancesHealthCheck>("instances", tags: ["ready"]);
        services.AddSingleton<WebhookRefusals>();
        return builder;
    }

    /// <summary>OpenVidu's webhook, <c>POST /openvidu/webhook</c>.</summary>
    public static IEndpointRouteBuilder MapDirectory(this IEndpointRouteBuilder endpoints) => endpoints.MapOpenViduWebhook();
}
