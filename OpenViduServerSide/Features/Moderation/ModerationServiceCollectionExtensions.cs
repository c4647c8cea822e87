using OpenViduServerSide.Features.Moderation;

namespace Microsoft.Extensions.DependencyInjection;

public static class ModerationServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddModeration(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CallModeration>();
        return builder;
    }
}
