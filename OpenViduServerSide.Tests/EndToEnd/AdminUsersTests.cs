using Microsoft.Playwright;
using OpenViduServerSide.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OpenViduServerSide.Tests.EndToEnd;

/// <summary>An admin in a real browser: the users page, the create dialog with the password policy, a phone-width view.</summary>
public sealed class AdminUsersTests(BrowserFixture browsers) : IAsyncLifetime
{
    private EmulatedApp app = default!;

    public async ValueTask InitializeAsync() => app = await EmulatedApp.StartAsync(new EmulatedAppOptions { Kestrel = true });

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_user_without_the_Admin_role_is_denied_in_the_apps_layout_with_the_menu_and_sign_out()
    {
        await using var context = await browsers.NewContextAsync(app.BaseUrl);
        var publisher = new AppPage(await context.NewPageAsync());
        await publisher.SignInAsync("publisher1");

        await publisher.Page.GotoAsync("/admin/users");

        await Expect(publisher.Page.GetByRole(AriaRole.Heading, new() { Name = "Access denied", Level = 1 })).ToBeVisibleAsync();
        await Expect(publisher.Page.GetByRole(AriaRole.Link, new() { Name = "Join a call" })).ToBeVisibleAsync();
        await Expect(publisher.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        await publisher.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("access-denied") });
    }

    [Fact]
    public async Task Admin_creates_a_user_after_fixing_the_password_and_sees_it_in_the_grid_and_the_audit()
    {
        await using var context = await browsers.NewContextAsync(app.BaseUrl);
        var admin = new AppPage(await context.NewPageAsync());
        var page = admin.Page;
        await admin.SignInAsync("admin");

        await page.GetByRole(AriaRole.Link, new() { Name = "Users" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Users", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("row-user-name")).ToHaveCountAsync(5);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Delete admin" })).ToBeDisabledAsync();
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("admin-users-desktop"), FullPage = true });

        await page.GetByTestId("create-user").ClickAsync();
        await page.Locator("#new-user-name").FillAsync("carol");
        await page.Locator("#new-user-password").FillAsync("short");
        await page.GetByTestId("create-submit").ClickAsync();
        await Expect(page.GetByTestId("policy-errors")).ToContainTextAsync("Passwords must be at least 8 characters.");
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("admin-create-user-errors") });

        await page.Locator("#new-user-password").FillAsync("Str0ng-Passw0rd!");
        await page.GetByTestId("create-submit").ClickAsync();
        await Expect(page.GetByText("User carol created with the role PUBLISHER.")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("row-user-name").GetByText("carol", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("audit-table")).ToContainTextAsync("CreateUser");

        // A phone opens the page fresh (the drawer starts closed below the Md breakpoint).
        await page.SetViewportSizeAsync(390, 844);
        await page.ReloadAsync();
        await Expect(page.GetByTestId("row-user-name").First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("admin-users-phone"), FullPage = true });
    }
}
