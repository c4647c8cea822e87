using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace OpenViduServerSide.Tests.Infrastructure;

/// <summary>
/// bUnit with MudBlazor's services. Mud's own JS (popovers, scroll) runs loose; modules of ours are set up strict
/// per test with <c>JSInterop.SetupModule</c>. xunit v3 disposes this asynchronously, as Mud's services need.
/// </summary>
public abstract class MudTestContext : BunitContext
{
    protected MudTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServicesForTests();
    }
}

public static class MudTestServices
{
    /// <summary>MudBlazor's services as the tests want them: no transitions, no popover provider check.</summary>
    public static IServiceCollection AddMudServicesForTests(this IServiceCollection services) =>
        services.AddMudServices(options =>
        {
            options.SnackbarConfiguration.ShowTransitionDuration = 0;
            options.SnackbarConfiguration.HideTransitionDuration = 0;
            options.PopoverOptions.CheckForPopoverProvider = false;
        });
}
