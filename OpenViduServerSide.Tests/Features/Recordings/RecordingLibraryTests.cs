using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenViduEmulator;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Accounts;
using OpenViduServerSide.Features.Recordings;
using OpenViduServerSide.OpenVidu;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Recordings;

/// <summary>
/// Where recordings live: the list (OpenVidu's, joined with who started each), the app's file endpoint (Range, and 404
/// to someone who was not in the call), delete, and the list component's rows and empty state. Against the emulator with
/// recording on (its fake mode writes a placeholder WebM).
/// </summary>
public class RecordingLibraryTests : MudTestContext, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly TestDatabase kind;
    private EmulatedApp app = default!;

    public RecordingLibraryTests()
        : this(TestDatabase.Sqlite)
    {
    }

    /// <summary>The same tests on another engine (<see cref="PostgreSqlRecordingLibraryTests"/>).</summary>
    protected RecordingLibraryTests(TestDatabase kind) => this.kind = kind;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private RecordingLibrary Library => app.Get<RecordingLibrary>();

    public async ValueTask InitializeAsync()
    {
        app = await EmulatedApp.StartAsync(new EmulatedAppOptions { Emulator = new EmulatorOptions { Recording = true }, Database = kind });
        Services.AddSingleton(Library);
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await app.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private static ClaimsPrincipal User(string name, params string[] roles) => EmulatedApp.User(name, roles);

    private async Task JoinAsync(string session, string user, string nickname) => await app.JoinOverRpcAsync(session, user, nickname);

    /// <summary>
    /// A finished recording of "Lesson" started by the moderator, with publisher1 in the call: waits (condition checked
    /// every 50 ms, bounded) until OpenVidu says it is ready (the test server: no webhooks, the app's own start stores the entry) and the call history holds publisher1 in that call.
    /// </summary>
    private async Task<string> RecordLessonAsync()
    {
        await JoinAsync("Lesson", "moderator", "Mo");
        await JoinAsync("Lesson", "publisher1", "Pub");
        var moderator = User("moderator", Roles.Moderator);
        var recordings = app.Get<CallRecordings>();
        Assert.True((await recordings.StartAsync(moderator, "Lesson", Ct)).Succeeded);
        Assert.True((await recordings.StopAsync(moderator, "Lesson", Ct)).Succeeded);
        await using var db = await app.Get<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync(Ct);
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var callId = await db.Recordings.AsNoTracking().Where(r => r.Id == "Lesson").Select(r => r.CallId).FirstOrDefaultAsync(Ct);
            if (callId is { } id && (await app.Get<OpenViduClient>().GetRecordingAsync("Lesson", Ct))?.Status == "ready"
                && await db.Participations.AnyAsync(p => p.CallRecordId == id && p.UserName == "publisher1", Ct))
            {
                return "Lesson";
            }

            Assert.True(DateTime.UtcNow < deadline, "the recording never became ready with publisher1 in its call's history");
            await Task.Delay(50, Ct);
        }
    }

    [Fact]
    public async Task The_list_shows_a_finished_recording_with_who_started_it_to_an_admin_and_to_someone_in_the_call_only()
    {
        var id = await RecordLessonAsync();

        var admin = await Library.ListAsync(User("admin", Roles.Admin), Ct);
        var participant = await Library.ListAsync(User("publisher1", Roles.Publisher), Ct);
        var outsider = await Library.ListAsync(User("subscriber", Roles.Subscriber), Ct);

        var row = Assert.Single(admin.Rows);
        Assert.Equal((id, "Lesson", "moderator", "ready"), (row.Id, row.SessionName, row.StartedBy, row.Status));
        Assert.True(row.Size > 0);
        Assert.True(row.HasFile);
        Assert.Equal(id, Assert.Single(participant.Rows).Id);
        Assert.Empty(outsider.Rows);
        Assert.Null(outsider.Problem);
    }

    [Fact]
    public async Task The_file_endpoint_answers_a_range_with_206_and_those_bytes_and_404_to_someone_not_in_the_call()
    {
        var id = await RecordLessonAsync();
        var admin = app.CreateBrowserLikeClient();
        await LoginFlow.SignInAsync(admin, "admin");
        var participant = app.CreateBrowserLikeClient();
        await LoginFlow.SignInAsync(participant, "publisher1");
        var outsider = app.CreateBrowserLikeClient();
        await LoginFlow.SignInAsync(outsider, "subscriber");
        var url = RecordingFileEndpoint.Url(id);

        using var whole = await admin.GetAsync(url, Ct);
        var all = await whole.Content.ReadAsByteArrayAsync(Ct);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new RangeHeaderValue(4, 19);
        using var part = await participant.SendAsync(request, Ct);
        var bytes = await part.Content.ReadAsByteArrayAsync(Ct);
        using var refused = await outsider.GetAsync(url, Ct);
        using var unknown = await admin.GetAsync(RecordingFileEndpoint.Url("NoSuchRecording"), Ct);

        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal("video/webm", whole.Content.Headers.ContentType?.MediaType);
        Assert.Equal([0x1A, 0x45, 0xDF, 0xA3], all[..4]); // WebM's EBML magic: the real file, not a page
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal($"bytes 4-19/{all.Length}", part.Content.Headers.ContentRange?.ToString());
        Assert.Contains("bytes", part.Headers.AcceptRanges);
        Assert.Equal(all[4..20], bytes);
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        // OpenVidu's address and secret never reach the browser.
        Assert.DoesNotContain(app.Emulator.BaseUrl, whole.Headers.ToString() + whole.Content.Headers, StringComparison.Ordinal);
        Assert.DoesNotContain(app.Emulator.Secret, whole.Headers.ToString() + whole.Content.Headers, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_deletes_it_from_OpenVidu_and_the_list_with_an_audit_row_and_nobody_else_can()
    {
        var id = await RecordLessonAsync();

        var refused = await Library.DeleteAsync(User("moderator", Roles.Moderator), id, Ct);
        var deleted = await Library.DeleteAsync(User("admin", Roles.Admin), id, Ct);

        Assert.Equal((false, RecordingMessages.DeleteNotAllowed), (refused.Succeeded, refused.Message));
        Assert.Equal((true, RecordingMessages.Deleted), (deleted.Succeeded, deleted.Message));
        Assert.Empty((await Library.ListAsync(User("admin", Roles.Admin), Ct)).Rows);
        await using var db = await app.Get<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync(Ct);
        Assert.False(await db.Recordings.AnyAsync(r => r.Id == id, Ct));
        var audit = await db.AuditEntries.SingleAsync(a => a.Action == AuditActions.DeleteRecording, Ct);
        Assert.Equal(("admin", id), (audit.Actor, audit.Target));
    }

    [Fact]
    public async Task Deleting_a_recording_in_progress_says_to_stop_it_first()
    {
        await JoinAsync("Live", "moderator", "Mo");
        Assert.True((await app.Get<CallRecordings>().StartAsync(User("admin", Roles.Admin), "Live", Ct)).Succeeded);

        var result = await Library.DeleteAsync(User("admin", Roles.Admin), "Live", Ct);

        Assert.Equal((false, RecordingMessages.DeleteInProgress), (result.Succeeded, result.Message));
        Assert.Equal("started", app.Emulator.Controls.RecordingStatus("Live"));
    }

    [Fact]
    public async Task The_page_lists_the_rows_with_play_download_and_delete_for_an_admin_and_plays_the_app_s_file()
    {
        var id = await RecordLessonAsync();
        AddAuthorization().SetAuthorized("admin").SetRoles(Roles.Admin);

        var list = Render<RecordingsTable>(p => p.Add(l => l.CanDelete, true));

        list.WaitForElement("[data-testid=recordings-table]", Wait);
        Assert.Equal("Lesson", list.Find("[data-testid=recording-call]").TextContent.Trim());
        Assert.Equal("moderator", list.Find("[data-testid=recording-started-by]").TextContent.Trim());
        Assert.Equal("ready", list.Find("[data-testid=recording-status]").TextContent.Trim());
        Assert.Equal(RecordingFileEndpoint.Url(id), list.Find("[data-testid=recording-download]").GetAttribute("href"));
        Assert.NotNull(list.Find("[data-testid=recording-delete]"));
        list.Find("[data-testid=recording-play]").Click();
        var video = list.WaitForElement("[data-testid=recording-player]", Wait);
        Assert.Equal(RecordingFileEndpoint.Url(id), video.GetAttribute("src"));
        Assert.True(video.HasAttribute("controls"));
    }

    [Fact]
    public async Task Deleting_from_the_page_asks_first_then_says_so_and_shows_the_empty_state()
    {
        var id = await RecordLessonAsync();
        AddAuthorization().SetAuthorized("admin").SetRoles(Roles.Admin);
        var dialogs = Render<MudBlazor.MudDialogProvider>();
        var list = Render<RecordingsTable>(p => p.Add(l => l.CanDelete, true));
        list.WaitForElement("[data-testid=recording-delete]", Wait);

        var deleting = list.Find("[data-testid=recording-delete]").ClickAsync(new()); // completes when the dialog closes
        dialogs.WaitForAssertion(() => Assert.Contains("Delete the recording of Lesson?", dialogs.Markup, StringComparison.Ordinal), Wait);
        Assert.NotNull(app.Emulator.Controls.RecordingStatus(id)); // nothing deleted before the answer
        await dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").ClickAsync(new());
        await deleting.WaitAsync(Wait, Ct);

        list.WaitForAssertion(() => Assert.Equal(RecordingMessages.Deleted, list.Find("[data-testid=recordings-message]").TextContent.Trim()), Wait);
        Assert.NotNull(list.Find("[data-testid=recordings-empty]"));
        Assert.Null(app.Emulator.Controls.RecordingStatus(id));
    }

    [Fact]
    public void Someone_with_no_recordings_sees_the_empty_state_and_no_delete()
    {
        AddAuthorization().SetAuthorized("subscriber").SetRoles(Roles.Subscriber);

        var list = Render<RecordingsTable>(p => p.Add(l => l.EmptyText, "Nothing recorded."));

        list.WaitForAssertion(() => Assert.Equal("Nothing recorded.", list.Find("[data-testid=recordings-empty]").TextContent));
        Assert.Empty(list.FindAll("[data-testid=recording-delete]"));
    }
}

public sealed class PostgreSqlRecordingLibraryTests() : RecordingLibraryTests(TestDatabase.PostgreSql);
