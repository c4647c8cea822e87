using System.Data.Common;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Accounts;
using OpenViduServerSide.Features.Admin;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Accounts;

/// <summary>
/// An open page (circuit) and a sign-in cookie of an account that was locked, reset, demoted or deleted lose their rights
/// within seconds, and checking that costs no database query per page per tick.
/// </summary>
public sealed class RevalidationTests : IAsyncLifetime
{
    private readonly CommandCounter commands = new();
    private AppFactory app = default!;
    private WebApplicationFactory<Program> host = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        app = new AppFactory();
        host = app.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.ConfigureDbContext<ApplicationDbContext>(options => options.AddInterceptors(commands))));
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await host.DisposeAsync();
        await app.DisposeAsync();
    }

    [Fact]
    public void OpenPagesAndCookiesAreRevalidatedWithinSeconds()
    {
        Assert.True(IdentityRevalidatingAuthenticationStateProvider.Interval <= TimeSpan.FromSeconds(5));
        Assert.True(host.Services.GetRequiredService<IOptions<SecurityStampValidatorOptions>>().Value.ValidationInterval <= TimeSpan.FromSeconds(10));
    }

    [Theory]
    [MemberData(nameof(AccountChanges.All), MemberType = typeof(AccountChanges))]
    public async Task AnOpenPageOfAChangedAccountLosesItsRights(string change)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var provider = Provider(scope);
        var principal = await PrincipalAsync(scope, "publisher1");
        Assert.True(await provider.IsStillValidAsync(principal, Ct));

        var admin = scope.ServiceProvider.GetRequiredService<UserAdministration>();
        var result = await AccountChanges.ApplyAsync(admin, change, "publisher1");
        Assert.True(result.Succeeded, result.Message);

        Assert.False(await provider.IsStillValidAsync(principal, Ct));
    }

    [Fact]
    public async Task An_open_page_stays_signed_in_when_an_admin_changes_the_OpenVidu_role_so_its_call_can_switch()
    {
        await using var scope = host.Services.CreateAsyncScope();
        var provider = Provider(scope);
        var principal = await PrincipalAsync(scope, "publisher1");

        var result = await AccountChanges.ApplyAsync(scope.ServiceProvider.GetRequiredService<UserAdministration>(), "role", "publisher1");

        Assert.True(result.Succeeded, result.Message);
        Assert.True(await provider.IsStillValidAsync(principal, Ct));
    }

    [Fact]
    public async Task RevalidatingManyOpenPagesOfOneUserCostsAtMostOneQuery()
    {
        await using var scope = host.Services.CreateAsyncScope();
        var principal = await PrincipalAsync(scope, "moderator");
        // Several open pages (circuits), each with its own provider, ticking many times.
        var providers = Enumerable.Range(0, 5).Select(_ => host.Services.CreateAsyncScope()).ToList();

        commands.Count = 0;
        for (var tick = 0; tick < 20; tick++)
        {
            foreach (var page in providers)
            {
                Assert.True(await Provider(page).IsStillValidAsync(principal, Ct));
            }
        }

        Assert.True(commands.Count <= 1, $"{commands.Count} queries for 100 revalidations");
        foreach (var page in providers)
        {
            await page.DisposeAsync();
        }
    }

    private static IdentityRevalidatingAuthenticationStateProvider Provider(AsyncServiceScope scope) =>
        (IdentityRevalidatingAuthenticationStateProvider)scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>();

    private static async Task<System.Security.Claims.ClaimsPrincipal> PrincipalAsync(AsyncServiceScope scope, string userName)
    {
        var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<ApplicationUser>>();
        return await signIn.CreateUserPrincipalAsync((await signIn.UserManager.FindByNameAsync(userName))!);
    }

    private sealed class CommandCounter : DbCommandInterceptor
    {
        public int Count;

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Count);
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}
