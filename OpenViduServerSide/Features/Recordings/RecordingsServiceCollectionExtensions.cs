using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Features.Recordings;

namespace Microsoft.Extensions.DependencyInjection;

public static class RecordingsServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddRecordings(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CallRecordings>();
        builder.Services.AddSingleton<IOpenViduEventListener>(provider => provider.GetRequiredService<CallRecordings>());
        return builder;
    }
}
