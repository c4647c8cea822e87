using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Accounts;
using OpenViduServerSide.Features.Admin;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Admin;

/// <summary>
/// The real <see cref="UserAdministration"/> for component tests: Identity on EF Core over a temporary SQLite file,
/// migrated and seeded with the demo users like the app (admin is the only Admin).
/// </summary>
internal static class AdminTestServices
{
    public static IServiceCollection AddUserAdministrationOnSqlite(this IServiceCollection services, string databasePath)
    {
        services.AddLogging();
        services.AddDbContext<ApplicationDbContext>(options => options.UseSqlite($"Data Source={databasePath}"));
        services.AddIdentityCore<ApplicationUser>(options => options.Password.RequiredLength = 8)
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<ApplicationDbContext>();
        services.AddOptions<SeedOptions>().Configure(options => options.DemoUsers = true);
        services.AddScoped<IdentitySeeder>();
        services.AddSingleton(TimeProvider.System);
        services.AddScoped<UserAdministration>();
        return services;
    }

    public static async Task MigrateAndSeedAsync(this IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ApplicationDbContext>().Database.MigrateAsync(TestContext.Current.CancellationToken);
        await scope.ServiceProvider.GetRequiredService<IdentitySeeder>().SeedAsync(TestContext.Current.CancellationToken);
    }

    public static string NewDatabasePath() => TempDatabase.NewPath();
}
