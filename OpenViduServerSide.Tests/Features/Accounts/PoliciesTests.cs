using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using OpenViduServerSide.Features.Accounts;

namespace OpenViduServerSide.Tests.Features.Accounts;

public sealed class PoliciesTests
{
    private static readonly IAuthorizationService Authorization = new ServiceCollection()
        .AddLogging()
        .AddAuthorizationBuilder().AddAppPolicies().Services
        .BuildServiceProvider()
        .GetRequiredService<IAuthorizationService>();

    [Theory]
    [InlineData(Policies.Admin, "Admin", true)]
    [InlineData(Policies.Admin, "MODERATOR", false)]
    [InlineData(Policies.Admin, "PUBLISHER", false)]
    [InlineData(Policies.Admin, "SUBSCRIBER", false)]
    public async Task Policy_admits_exactly_its_roles(string policy, string role, bool admitted)
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "u"), new Claim(ClaimTypes.Role, role)], "test"));

        var result = await Authorization.AuthorizeAsync(user, policy);

        Assert.Equal(admitted, result.Succeeded);
    }
}
