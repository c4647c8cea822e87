using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Accounts;

namespace Microsoft.Extensions.DependencyInjection;

public static class AccountsServiceCollectionExtensions
{
    /// <summary>
    /// How often a sign-in cookie is checked against the account's security stamp (the default is 30 minutes): a lock,
    /// password reset or role change ends the cookie within this time. One query per user per interval.
    /// </summary>
    public static readonly TimeSpan CookieRevalidationInterval = TimeSpan.FromSeconds(10);

    /// <summary>Identity on EF Core with roles, cookie sign-in, lockout, named policies and the seeder.</summary>
    public static IHostApplicationBuilder AddAccounts(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var development = builder.Environment.IsDevelopment();
        services.AddOptions<SeedOptions>().BindConfiguration(SeedOptions.Section)
            .Validate(o => !o.DemoUsers || development || o.AllowDemoUsersOutsideDevelopment,
                "Seed:DemoUsers=true creates accounts whose password is 'pass', and this is not the Development environment. " +
                "Turn it off (Seed__DemoUsers=false), or for a throwaway demo also set Seed:AllowDemoUsersOutsideDevelopment=true.")
            .ValidateOnStart();

        services.AddCascadingAuthenticationState();
        services.AddScoped<IdentityRedirectManager>();
        services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();

        services.AddAuthentication(options =>
            {
                options.DefaultScheme = IdentityConstants.ApplicationScheme;
                options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();
        services.AddAuthorizationBuilder().AddAppPolicies();

        services.AddIdentityCore<ApplicationUser>(options =>
            {
                options.SignIn.RequireConfirmedAccount = false;
                options.User.RequireUniqueEmail = false;
                options.Password.RequiredLength = 8;
                // Lockout stays enabled for administrators' locks; failed sign-ins do not lock (SignInGuard signs in
                // with lockoutOnFailure: false and pauses per user name and address instead).
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = Lockouts.MaxFailedAttempts;
                options.Lockout.DefaultLockoutTimeSpan = Lockouts.LockoutDuration;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<ApplicationDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();

        services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = CookieRevalidationInterval);
        services.AddScoped<IdentitySeeder>();
        services.AddScoped<IDatabaseSeeder>(sp => sp.GetRequiredService<IdentitySeeder>());
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section);
        services.AddSingleton<SignInGuard>();
        services.TryAddSingleton<AccountStates>();

        // Cookies, bearer tokens and circuits are protected by these keys. On PostgreSQL they live in the database, so
        // every instance of a deployment reads the same ring and restarts keep people signed in. Not on SQLite: a new key
        // is written on first use (and every 90 days), and SQLite's one writer would wait for any open transaction of the
        // app, e.g. an admin's password reset that needs a token protected inside its own transaction. There (one
        // instance) they stay where ASP.NET Core keeps them, or in the configured folder, which wins everywhere. One
        // application name, so hosts with different content roots still read each other's payloads.
        var dataProtection = services.AddDataProtection().SetApplicationName("OpenViduServerSide");
        if (builder.Configuration["DataProtection:KeysPath"] is { Length: > 0 } keysPath)
        {
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(keysPath));
        }
        else if (DatabaseSettings.Read(builder.Configuration, builder.Environment.ContentRootPath).Provider == DatabaseProvider.PostgreSql)
        {
            dataProtection.PersistKeysToDbContext<ApplicationDbContext>();
        }

        return builder;
    }
}
