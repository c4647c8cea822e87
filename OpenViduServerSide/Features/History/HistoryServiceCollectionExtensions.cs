using OpenViduServerSide.Features.History;

namespace Microsoft.Extensions.DependencyInjection;

public static class HistoryServiceCollectionExtensions
{
    /// <summary>Call history in SQLite: a background writer fed by the session directory, the queries the pages use and the attendance report.</summary>
    public static IHostApplicationBuilder AddHistory(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CallHistoryWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CallHistoryWriter>());
        builder.Services.AddScoped<CallHistoryQueries>();
        builder.Services.AddScoped<AttendanceReport>();
        return builder;
    }

    /// <summary>The attendance CSV downloads.</summary>
    public static IEndpointRouteBuilder MapHistory(this IEndpointRouteBuilder endpoints) => endpoints.MapAttendance();
}
