using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Features.Recordings;

namespace Microsoft.Extensions.DependencyInjection;

public static class RecordingsServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddRecordings(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CallRecordings>();
        builder.Services.AddSingleton<IOpenViduEventListener>(provider => provider.GetRequiredService<CallRecordings>());
        builder.Services.AddSingleton<RecordingLibrary>();
        return builder;
    }

    public static IEndpointRouteBuilder MapRecordings(this IEndpointRouteBuilder endpoints) => endpoints.MapRecordingFile();
}
