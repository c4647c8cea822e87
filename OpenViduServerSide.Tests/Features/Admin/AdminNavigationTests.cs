using Bunit;
using OpenViduServerSide.Components.Layout;
using OpenViduServerSide.Features.Accounts;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Admin;

public sealed class AdminNavigationTests : MudTestContext
{
    [Fact]
    public void Admins_see_the_administration_group_with_the_users_link()
    {
        // bUnit's authorization grants policies by name; PoliciesTests prove Admin means the Admin role.
        AddAuthorization().SetAuthorized("admin").SetRoles("Admin", "MODERATOR").SetPolicies(Policies.Admin);

        var menu = Render<NavMenu>();

        Assert.Contains("Administration", menu.Find("[data-testid=nav-admin]").TextContent, StringComparison.Ordinal);
        Assert.NotNull(menu.Find("a[href='admin/users']"));
        Assert.NotNull(menu.Find("a[href='admin/recordings']"));
    }

    [Theory]
    [InlineData("MODERATOR")]
    [InlineData("PUBLISHER")]
    [InlineData("SUBSCRIBER")]
    public void Other_users_do_not_see_it(string role)
    {
        AddAuthorization().SetAuthorized("someone").SetRoles(role);

        var menu = Render<NavMenu>();

        Assert.Empty(menu.FindAll("[data-testid=nav-admin]"));
        Assert.Empty(menu.FindAll("a[href='admin/users']"));
        Assert.Empty(menu.FindAll("a[href='admin/recordings']"));
        Assert.NotNull(menu.Find("a[href='recordings']")); // their own: the calls they were in
    }
}
