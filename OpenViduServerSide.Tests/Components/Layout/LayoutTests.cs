using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
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

    [Fact]
    public void AnUnexpectedErrorInAPageShowsSomethingWentWrongAndTryAgainRendersThePageAgain()
    {
        AddAuthorization().SetAuthorized("publisher1");
        var layout = Render<MainLayout>(p => p.Add(l => l.Body, b =>
        {
            b.OpenComponent<FailingPage>(0);
            b.CloseComponent();
        }));

        layout.Find("[data-testid=fail]").Click();

        var alert = layout.Find("[data-testid=page-crashed]");
        Assert.Equal("alert", alert.GetAttribute("role"));
        Assert.Contains("Something went wrong on this page.", alert.TextContent, StringComparison.Ordinal);
        Assert.Empty(layout.FindAll("[data-testid=fail]"));
        layout.Find("[data-testid=page-retry]").Click();
        Assert.NotNull(layout.Find("[data-testid=fail]"));
        Assert.Empty(layout.FindAll("[data-testid=page-crashed]"));
        // The rest of the layout lived on.
        Assert.NotNull(layout.Find("button[aria-label='Switch to dark theme']"));
    }

    /// <summary>A page with a bug: its button throws what no handler expects.</summary>
    private sealed class FailingPage : ComponentBase
    {
        protected override void BuildRenderTree(RenderTreeBuilder builder)
        {
            builder.OpenElement(0, "button");
            builder.AddAttribute(1, "data-testid", "fail");
            builder.AddAttribute(2, "onclick", EventCallback.Factory.Create(this, () => throw new InvalidOperationException("a bug")));
            builder.CloseElement();
        }
    }
}
