using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using OpenViduServerSide.Data;
using OpenViduServerSide.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OpenViduServerSide.Tests.EndToEnd;

/// <summary>
/// The attendance CSV as people get it: a click in the browser downloads a file (Blazor's router must not take the
/// link for a page), for an admin on "All calls" and for a user on the home page.
/// </summary>
public sealed class AttendanceDownloadTests(BrowserFixture browsers) : IAsyncLifetime
{
    private EmulatedApp app = default!;
    private readonly DateTime started = DateTime.UtcNow.AddHours(-1);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        app = await EmulatedApp.StartAsync(new EmulatedAppOptions { Kestrel = true });
        var call = new CallRecord { Id = Guid.NewGuid(), SessionName = "Retro", StartedAt = started, EndedAt = started.AddMinutes(20), EndReason = "lastParticipantLeft" };
        call.Participations.Add(new Participation { ConnectionId = "con_a", UserName = "publisher1", Nickname = "Alice", Role = "PUBLISHER", JoinedAt = started, LeftAt = started.AddMinutes(20), LeftReason = "disconnect" });
        call.Participations.Add(new Participation { ConnectionId = "con_b", UserName = "publisher2", Nickname = "Bob", Role = "PUBLISHER", JoinedAt = started.AddMinutes(5), LeftAt = started.AddMinutes(15), LeftReason = "networkDisconnect" });
        await using var db = await app.Get<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync(Ct);
        db.Calls.Add(call);
        await db.SaveChangesAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task An_admin_downloads_a_calls_attendance_and_a_user_their_own_days()
    {
        await using var context = await browsers.NewContextAsync(app.BaseUrl);
        var admin = new AppPage(await context.NewPageAsync());
        await admin.SignInAsync("admin");
        await admin.Page.GotoAsync("/admin/calls");
        await admin.Page.GetByText("Retro ·").ClickAsync();
        // The page says how each person left in the report's words, not OpenVidu's reason codes.
        await Expect(admin.Page.GetByTestId("all-calls")).ToContainTextAsync("connection lost");

        var callCsv = await DownloadAsync(admin.Page, admin.Page.GetByRole(AriaRole.Link, new() { Name = "Attendance of Retro (CSV)" }));

        Assert.Matches(@"^attendance-Retro-\d{8}-\d{4}\.csv$", callCsv.FileName);
        Assert.Contains(",publisher1,Alice,PUBLISHER,", callCsv.Text, StringComparison.Ordinal);
        Assert.Contains(",publisher2,Bob,PUBLISHER,", callCsv.Text, StringComparison.Ordinal);
        Assert.Contains(",0:10:00,connection lost,0", callCsv.Text, StringComparison.Ordinal);
        await admin.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("attendance-admin"), FullPage = true });

        await using var bobsContext = await browsers.NewContextAsync(app.BaseUrl);
        var bob = new AppPage(await bobsContext.NewPageAsync());
        await bob.SignInAsync("publisher2");
        await Expect(bob.Page.GetByTestId("recent-calls")).ToContainTextAsync("Retro");

        var ownCsv = await DownloadAsync(bob.Page, bob.Page.GetByTestId("attendance-download"));

        Assert.Equal(2, ownCsv.Text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains(",publisher2,Bob,PUBLISHER,", ownCsv.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("publisher1", ownCsv.Text, StringComparison.Ordinal);
        // A phone opens the page fresh (the drawer starts closed below the Md breakpoint).
        await bob.Page.SetViewportSizeAsync(390, 844);
        await bob.Page.ReloadAsync();
        await Expect(bob.Page.GetByTestId("attendance-download")).ToBeVisibleAsync();
        Assert.True(await bob.Page.EvaluateAsync<bool>("document.scrollingElement.scrollWidth <= window.innerWidth"), "the home page is wider than a phone");
        await bob.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("attendance-home-phone"), FullPage = true });
    }

    private static async Task<(string FileName, string Text)> DownloadAsync(IPage page, ILocator link)
    {
        var download = await page.RunAndWaitForDownloadAsync(() => link.ClickAsync());
        await using var stream = await download.CreateReadStreamAsync();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return (download.SuggestedFilename, await reader.ReadToEndAsync(Ct));
    }
}
