using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Admin;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Admin;

/// <summary>
/// The users page over the real service, as the app registers it (Identity options, seeded SQLite file: admin is the only
/// Admin), reached through bUnit's fallback service provider; dialogs through a rendered MudDialogProvider.
/// </summary>
public sealed class UsersPageTests : MudTestContext, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly AppFactory app = new();
    private AsyncServiceScope circuit;

    public UsersPageTests() => AddAuthorization().SetAuthorized("admin").SetRoles("Admin", "MODERATOR");

    public ValueTask InitializeAsync()
    {
        // One app scope stands for the page's circuit (UserAdministration is scoped); starting the app migrates and seeds.
        circuit = app.Services.CreateAsyncScope();
        Services.AddFallbackServiceProvider(circuit.ServiceProvider);
        return ValueTask.CompletedTask;
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        await circuit.DisposeAsync();
        await app.DisposeAsync();
    }

    [Fact]
    public void Grid_shows_the_users_the_service_returns()
    {
        var page = RenderPage();

        var names = page.FindAll("[data-testid=row-user-name]").Select(e => e.TextContent).ToArray();
        Assert.Equal(["admin", "moderator", "publisher1", "publisher2", "subscriber"], names);
        var adminRow = Row(page, "admin");
        Assert.Equal("MODERATOR", adminRow.QuerySelector("[data-testid=role-select][role=combobox]")?.TextContent.Trim());
        Assert.True(adminRow.QuerySelector("input[data-testid=admin-switch]")?.HasAttribute("checked"));
        Assert.Equal("No", adminRow.QuerySelector("[data-testid=locked-state]")?.TextContent.Trim());
        Assert.False(Row(page, "publisher1").QuerySelector("input[data-testid=admin-switch]")?.HasAttribute("checked"));
    }

    [Fact]
    public async Task Grid_shows_a_locked_user_as_locked_until_unlocked()
    {
        await Services.GetRequiredService<UserAdministration>().LockAsync("admin", "publisher2", TestContext.Current.CancellationToken);

        var page = RenderPage();

        Assert.Equal("Until unlocked", Row(page, "publisher2").QuerySelector("[data-testid=locked-state]")?.TextContent.Trim());
        Assert.NotNull(Row(page, "publisher2").QuerySelector("button[aria-label='Unlock publisher2']"));
        page.WaitForAssertion(() => Assert.Contains("Lock", page.Find("[data-testid=audit-table]").TextContent, StringComparison.Ordinal), Timeout);
    }

    [Fact]
    public void Search_narrows_the_grid()
    {
        var page = RenderPage();

        page.Find("#user-search").Input("sub");

        page.WaitForAssertion(() => Assert.Equal(["subscriber"], page.FindAll("[data-testid=row-user-name]").Select(e => e.TextContent)), Timeout);
    }

    [Fact]
    public async Task Create_dialog_shows_the_password_policy_errors_and_stays_open()
    {
        var dialogs = Render<MudDialogProvider>();
        var page = RenderPage();

        var opening = page.Find("[data-testid=create-user]").ClickAsync(new()); // completes when the dialog closes
        dialogs.WaitForElement("#new-user-name", Timeout).Change("carol");
        dialogs.Find("#new-user-password").Change("short");
        await dialogs.Find("form#create-user-form").SubmitAsync();

        dialogs.WaitForAssertion(() =>
        {
            var errors = dialogs.Find("[data-testid=policy-errors]").TextContent;
            Assert.Contains("Passwords must be at least 8 characters.", errors, StringComparison.Ordinal);
            Assert.Contains("Passwords must have at least one digit ('0'-'9').", errors, StringComparison.Ordinal);
        }, Timeout);
        Assert.NotNull(dialogs.Find("#new-user-name"));
        Assert.False(opening.IsCompleted);
        Assert.Null(await FindUserAsync("carol"));

        await dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").ClickAsync(new());
        await opening.WaitAsync(Timeout, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Create_dialog_with_a_good_password_creates_the_user_and_closes()
    {
        var dialogs = Render<MudDialogProvider>();
        var page = RenderPage();

        var opening = page.Find("[data-testid=create-user]").ClickAsync(new()); // completes when the dialog closes
        dialogs.WaitForElement("#new-user-name", Timeout).Change("carol");
        dialogs.Find("#new-user-password").Change("Str0ng-Passw0rd!");
        await dialogs.Find("form#create-user-form").SubmitAsync();

        await opening.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        Assert.Empty(dialogs.FindAll("#new-user-name"));
        page.WaitForAssertion(() => Assert.Contains("carol", page.FindAll("[data-testid=row-user-name]").Select(e => e.TextContent)), Timeout);
        Assert.NotNull(await FindUserAsync("carol"));
    }

    [Fact]
    public async Task Delete_asks_for_confirmation_and_cancel_deletes_nothing()
    {
        var dialogs = Render<MudDialogProvider>();
        var page = RenderPage();

        var deleting = page.Find("button[aria-label='Delete publisher1']").ClickAsync(new()); // completes after the confirmation
        dialogs.WaitForAssertion(() => Assert.Contains("Delete publisher1?", dialogs.Markup, StringComparison.Ordinal), Timeout);
        await dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").ClickAsync(new());

        await deleting.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        Assert.DoesNotContain("Delete publisher1?", dialogs.Markup, StringComparison.Ordinal);
        Assert.NotNull(await FindUserAsync("publisher1"));
        Assert.Contains("publisher1", page.FindAll("[data-testid=row-user-name]").Select(e => e.TextContent));
        Assert.Empty(await Services.GetRequiredService<UserAdministration>().GetRecentAuditAsync("admin", 10, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Delete_confirmed_removes_the_user_from_the_grid()
    {
        var dialogs = Render<MudDialogProvider>();
        var page = RenderPage();

        var deleting = page.Find("button[aria-label='Delete publisher1']").ClickAsync(new()); // completes after the confirmation
        dialogs.WaitForAssertion(() => Assert.Contains("Delete publisher1?", dialogs.Markup, StringComparison.Ordinal), Timeout);
        await dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").ClickAsync(new());
        await deleting.WaitAsync(Timeout, TestContext.Current.CancellationToken);

        page.WaitForAssertion(() => Assert.DoesNotContain("publisher1", page.FindAll("[data-testid=row-user-name]").Select(e => e.TextContent)), Timeout);
        Assert.Null(await FindUserAsync("publisher1"));
    }

    [Fact]
    public void Last_admin_row_disables_delete_lock_and_demote_and_says_why()
    {
        var page = RenderPage();

        var adminRow = Row(page, "admin");
        Assert.True(adminRow.QuerySelector("button[aria-label='Delete admin']")?.HasAttribute("disabled"));
        Assert.True(adminRow.QuerySelector("button[aria-label='Lock admin']")?.HasAttribute("disabled"));
        Assert.True(adminRow.QuerySelector("input[data-testid=admin-switch]")?.HasAttribute("disabled"));
        var note = adminRow.QuerySelector("[data-testid=last-admin-note]");
        Assert.Equal(UserAdministration.LastAdminExplanation, note?.TextContent.Trim());
        Assert.Equal(note?.Id, adminRow.QuerySelector("button[aria-label='Delete admin']")?.GetAttribute("aria-describedby"));

        var publisherRow = Row(page, "publisher1");
        Assert.False(publisherRow.QuerySelector("button[aria-label='Delete publisher1']")?.HasAttribute("disabled"));
        Assert.False(publisherRow.QuerySelector("button[aria-label='Lock publisher1']")?.HasAttribute("disabled"));
        Assert.Null(publisherRow.QuerySelector("[data-testid=last-admin-note]"));
    }

    private IRenderedComponent<UsersPage> RenderPage()
    {
        var page = Render<UsersPage>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=row-user-name]")), Timeout);
        return page;
    }

    private static IElement Row(IRenderedComponent<UsersPage> page, string userName) =>
        page.FindAll("tr").Single(tr => tr.QuerySelector("[data-testid=row-user-name]")?.TextContent == userName);

    private async Task<ApplicationUser?> FindUserAsync(string userName)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByNameAsync(userName);
    }

    [Theory]
    [InlineData("SELECT RAISE(IGNORE)", "publisher1 could not be changed. Reload the page and try again.")]
    [InlineData("SELECT RAISE(ABORT, 'disk says no')", "publisher1 could not be changed. Reload the page and try again.")]
    public async Task AChangeTheDatabaseRefusesIsExplainedAndThePageStays(string trigger, string message)
    {
        // RAISE(IGNORE) skips the update, so Identity sees a concurrency failure (another admin's change); RAISE(ABORT) is a database error.
        var sql = string.Concat("CREATE TRIGGER refuse_user_updates BEFORE UPDATE ON AspNetUsers BEGIN ", trigger, "; END;");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ApplicationDbContext>().Database.ExecuteSqlRawAsync(sql, TestContext.Current.CancellationToken);
        }

        var page = RenderPage();

        await Row(page, "publisher1").QuerySelector("button[aria-label='Lock publisher1']")!.ClickAsync(new());

        var shown = Assert.Single(Services.GetRequiredService<ISnackbar>().ShownSnackbars);
        Assert.Equal(message, shown.Message);
        Assert.Equal(Severity.Error, shown.Severity);
        Assert.Equal("No", Row(page, "publisher1").QuerySelector("[data-testid=locked-state]")?.TextContent.Trim());
        Assert.False(Row(page, "publisher1").QuerySelector("button[aria-label='Lock publisher1']")!.HasAttribute("disabled"));
    }
}
