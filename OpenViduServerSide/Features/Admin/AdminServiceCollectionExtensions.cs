using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenViduServerSide.Features.Admin;

namespace Microsoft.Extensions.DependencyInjection;

public static class AdminServiceCollectionExtensions
{
    /// <summary>The admin pages' services: user administration with its audit log (scoped, one per circuit).</summary>
    public static IHostApplicationBuilder AddAdmin(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddScoped<UserAdministration>();
        return builder;
    }
}
