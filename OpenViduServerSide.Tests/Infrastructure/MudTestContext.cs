using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace OpenViduServerSide.Tests.Infrastructure;

/// <summary>
/// bUnit with MudBlazor's services. Mud's own JS (popovers, scroll) runs loose; modules of ours are set up strict
/// per test with <c>JSInterop.SetupModule</c>. xunit v3 disposes this asynchronously, as Mud's services need.
/// </summary>
public class MudTestContext : BunitContext
{
    public MudTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServicesForTests();
    }
}

public static class MudTestServices
{
    /// <summary>
    /// Registers a scoped service of the page whose constructor needs the app's singletons: bUnit's fallback service
    /// provider (<c>Services.AddFallbackServiceProvider(app.Services)</c>) answers only what a component injects directly,
    /// so the service is built through bUnit's whole provider, fallback included.
    /// </summary>
    public static IServiceCollection AddScopedWithFallback<T>(this BunitServiceProvider services)
        where T : class =>
        services.AddScoped(provider => ActivatorUtilities.CreateInstance<T>(provider.GetRequiredService<BunitServiceProvider>()));

    /// <summary>MudBlazor's services as the tests want them: no transitions, no popover provider check.</summary>
    public static IServiceCollection AddMudServicesForTests(this IServiceCollection services) =>
        services.AddMudServices(options =>
        {
            options.SnackbarConfiguration.ShowTransitionDuration = 0;
            options.SnackbarConfiguration.HideTransitionDuration = 0;
            options.PopoverOptions.CheckForPopoverProvider = false;
        });
}
