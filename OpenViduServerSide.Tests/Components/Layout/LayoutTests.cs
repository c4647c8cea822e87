using Bunit;
using OpenViduServerSide.Components.Layout;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Components.Layout;

public sealed class LayoutTests : MudTestContext
{
    [Fact]
    public void User_menu_shows_the_name_and_every_app_role_of_the_user()
    {
        AddAuthorization().SetAuthorized("admin").SetRoles("Admin", "MODERATOR");

        var menu = Render<UserMenu>();

        Assert.Equal("admin", menu.Find("[data-testid=user-name]").TextContent);
        var roles = menu.FindAll(".user-role").Select(c => c.TextContent.Trim()).ToArray();
        Assert.Equal(["MODERATOR", "Admin"], roles);
        Assert.Equal("post", menu.Find("form[action='Account/Logout']").GetAttribute("method"));
    }

    [Fact]
    public void User_menu_is_empty_for_anonymous_visitors()
    {
        AddAuthorization();

        var menu = Render<UserMenu>();

        Assert.Empty(menu.FindAll("[data-testid=user-menu]"));
    }

    [Fact]
    public void Theme_button_switches_between_dark_and_light()
    {
        AddAuthorization().SetAuthorized("publisher1");

        var layout = Render<MainLayout>();
        var toggle = layout.Find("button[aria-label='Switch to dark theme']");
        toggle.Click();

        Assert.NotNull(layout.Find("button[aria-label='Switch to light theme']"));
    }
}
