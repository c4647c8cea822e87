using OpenViduServerSide.Features.History;

namespace Microsoft.Extensions.DependencyInjection;

public static class HistoryServiceCollectionExtensions
{
    /// <summary>Call history in SQLite: a background writer fed by the session directory, and the queries the pages use.</summary>
    public static IHostApplicationBuilder AddHistory(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CallHistoryWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CallHistoryWriter>());
        builder.Services.AddScoped<CallHistoryQueries>();
        return builder;
    }
}
