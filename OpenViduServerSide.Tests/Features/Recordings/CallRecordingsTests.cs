using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using OpenViduEmulator;
using OpenViduEmulator.Testing;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Features.Recordings;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Recordings;

/// <summary>Starting and stopping recordings against the emulator (recording on, webhooks on), every status path.</summary>
public sealed class CallRecordingsTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private EmulatedApp app = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CallRecordings Recordings => app.Get<CallRecordings>();

    public async ValueTask InitializeAsync() =>
        app = await EmulatedApp.StartAsync(new EmulatedAppOptions { Webhooks = true, Emulator = new EmulatorOptions { Recording = true } });

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private static ClaimsPrincipal User(string name, params string[] roles) => EmulatedApp.User(name, roles);

    private async Task<OpenViduRpcClient> JoinAsync(string session, string user, string nickname) =>
        (await app.JoinOverRpcAsync(session, user, nickname)).Tab;

    /// <summary>
    /// Waits until the emulator delivered the webhook with that status, then until the app's background write of it is in
    /// the database (a condition checked every 50 ms, bounded by <see cref="Wait"/>).
    /// </summary>
    private async Task WaitForStatusAsync(string recordingId, string status)
    {
        await app.Emulator.Controls.WaitForAsync(s => s.WebhookDeliveries.Any(d => d.Event == "recordingStatusChanged" && d.StatusCode == 200
            && d.Body.Contains($"\"status\":\"{status}\"", StringComparison.Ordinal) && d.Body.Contains($"\"id\":\"{recordingId}\"", StringComparison.Ordinal)), Wait, Ct);
        await using var db = await app.Get<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync(Ct);
        var deadline = DateTime.UtcNow + Wait;
        while ((await db.Recordings.AsNoTracking().FirstOrDefaultAsync(r => r.Id == recordingId, Ct))?.Status != status)
        {
            Assert.True(DateTime.UtcNow < deadline, $"recording {recordingId} never reached {status} in the database");
            await Task.Delay(50, Ct);
        }
    }

    [Fact]
    public async Task A_moderator_in_the_call_starts_and_stops_it_everyone_notified_stored_with_who_and_audited()
    {
        var moderatorTab = await JoinAsync("Lesson", "moderator", "Mo");
        var publisherTab = await JoinAsync("Lesson", "publisher1", "Pub");
        var moderator = User("moderator", "MODERATOR");
        var changes = new List<string>();
        Recordings.Changed += changes.Add;

        var started = await Recordings.StartAsync(moderator, "Lesson", Ct);

        Assert.True(started.Succeeded, started.Message);
        Assert.Equal(RecordingMessages.Started, started.Message);
        var current = Recordings.Current("Lesson");
        Assert.NotNull(current);
        Assert.Equal("Lesson", current.Id);
        Assert.Contains("Lesson", changes);
        await publisherTab.WaitForNotificationAsync(n => (string?)n["method"] == "recordingStarted", Wait, Ct);
        await moderatorTab.WaitForNotificationAsync(n => (string?)n["method"] == "recordingStarted", Wait, Ct);

        var stopped = await Recordings.StopAsync(moderator, "Lesson", Ct);

        Assert.True(stopped.Succeeded, stopped.Message);
        Assert.Null(Recordings.Current("Lesson"));
        await publisherTab.WaitForNotificationAsync(n => (string?)n["method"] == "recordingStopped", Wait, Ct);
        await WaitForStatusAsync("Lesson", "ready"); // the webhook's last recordingStatusChanged
        await using var db = await app.Get<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync(Ct);
        var entry = await db.Recordings.SingleAsync(Ct);
        Assert.Equal(("moderator", "Lesson"), (entry.StartedBy, entry.SessionName));
        Assert.NotNull(entry.CallId);
        Assert.True(entry.Size > 0);
        Assert.NotNull(entry.StoppedAt);
        var audit = await db.AuditEntries.Where(a => a.Action.EndsWith("Recording")).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync(Ct);
        Assert.Equal([AuditActions.StartRecording, AuditActions.StopRecording], audit);
    }

    [Fact]
    public async Task A_started_report_arriving_after_the_stop_does_not_show_it_again_but_a_later_recording_with_its_id_does()
    {
        await JoinAsync("Late", "moderator", "Mo");
        var moderator = User("moderator", "MODERATOR");
        Assert.True((await Recordings.StartAsync(moderator, "Late", Ct)).Succeeded);
        var startedAt = Recordings.Current("Late")!.StartedAt;
        Assert.True((await Recordings.StopAsync(moderator, "Late", Ct)).Succeeded);

        // OpenVidu's "started" webhook (or a page's report) overtaken by the app's own stop.
        Recordings.OnEventAtAnotherInstance("recordingStatusChanged", StatusChanged("Late", "started", startedAt));

        Assert.Null(Recordings.Current("Late"));

        // Deleted, its id given by OpenVidu to a new recording of the call, which starts later.
        Recordings.OnEventAtAnotherInstance("recordingStatusChanged", StatusChanged("Late", "started", startedAt.AddMinutes(1)));

        Assert.Equal(startedAt.AddMinutes(1), Recordings.Current("Late")?.StartedAt);
    }

    private static System.Text.Json.JsonElement StatusChanged(string session, string status, DateTimeOffset startTime) =>
        System.Text.Json.JsonDocument.Parse($$"""{"id":"{{session}}","sessionId":"{{session}}","status":"{{status}}","startTime":{{startTime.ToUnixTimeMilliseconds()}}}""").RootElement;

    [Fact]
    public async Task A_publisher_cannot_start_and_OpenVidu_is_not_asked()
    {
        await JoinAsync("Class", "publisher1", "Pub");

        var result = await Recordings.StartAsync(User("publisher1", "PUBLISHER"), "Class", Ct);

        Assert.False(result.Succeeded);
        Assert.Equal(RecordingMessages.NotAllowed, result.Message);
        Assert.Null(Recordings.Current("Class"));
        Assert.Null(app.Emulator.Controls.RecordingStatus("Class"));
    }

    [Fact]
    public async Task A_moderator_of_another_call_cannot_record_this_one_but_an_admin_can()
    {
        await JoinAsync("Other", "moderator", "Mo");
        await JoinAsync("Class", "publisher1", "Pub");

        var refused = await Recordings.StartAsync(User("moderator", "MODERATOR"), "Class", Ct);
        var admin = await Recordings.StartAsync(User("admin", "Admin", "MODERATOR"), "Class", Ct);

        Assert.Equal(RecordingMessages.NotAllowed, refused.Message);
        Assert.True(admin.Succeeded, admin.Message);
        Assert.Equal("started", app.Emulator.Controls.RecordingStatus("Class"));
    }

    [Fact]
    public async Task Already_recording_is_409_and_the_page_learns_which_recording_runs()
    {
        await JoinAsync("Busy", "moderator", "Mo");
        var admin = User("admin", "Admin");
        Assert.True((await Recordings.StartAsync(admin, "Busy", Ct)).Succeeded);

        var again = await Recordings.StartAsync(admin, "Busy", Ct);

        Assert.False(again.Succeeded);
        Assert.Equal(RecordingMessages.Conflict, again.Message);
        Assert.Equal("Busy", Recordings.Current("Busy")?.Id);
    }

    [Fact]
    public async Task Nobody_connected_is_406()
    {
        // An admin may act on a call nobody is in: OpenVidu then has nothing to record.
        await app.Get<ConnectionIssuer>().IssueAsync("Empty", "publisher1", "Pub", ConnectionKind.Camera, Ct);

        var result = await Recordings.StartAsync(User("admin", "Admin"), "Empty", Ct);

        Assert.Equal(RecordingMessages.NotAcceptable, result.Message);
    }

    [Fact]
    public async Task Stop_of_a_call_not_being_recorded_says_so_and_a_stop_while_starting_is_406()
    {
        await JoinAsync("Quiet", "moderator", "Mo");
        var moderator = User("moderator", "MODERATOR");

        var notRecording = await Recordings.StopAsync(moderator, "Quiet", Ct);
        Assert.Equal(RecordingMessages.NotRecording, notRecording.Message);

        Assert.True((await Recordings.StartAsync(moderator, "Quiet", Ct)).Succeeded);
        app.Emulator.Controls.FailNext(1, 406); // OpenVidu's answer while a recording is still starting
        var starting = await Recordings.StopAsync(moderator, "Quiet", Ct);

        Assert.Equal(RecordingMessages.StillStarting, starting.Message);
        Assert.Equal("Quiet", Recordings.Current("Quiet")?.Id);
    }

    [Fact]
    public async Task A_422_is_explained()
    {
        await JoinAsync("Odd", "moderator", "Mo");
        app.Emulator.Controls.FailNext(1, 422);

        var result = await Recordings.StartAsync(User("moderator", "MODERATOR"), "Odd", Ct);

        Assert.Equal(RecordingMessages.Unprocessable, result.Message);
    }

    [Fact]
    public async Task A_recording_started_elsewhere_reaches_the_indicator_through_the_webhook()
    {
        await JoinAsync("Elsewhere", "moderator", "Mo");
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Recordings.Changed += name =>
        {
            if (name == "Elsewhere")
            {
                changed.TrySetResult();
            }
        };

        await app.Get<OpenViduServerSide.OpenVidu.OpenViduClient>().StartRecordingAsync(new OpenViduServerSide.OpenVidu.RecordingProperties("Elsewhere"), Ct);

        await changed.Task.WaitAsync(Wait, Ct);
        Assert.Equal("Elsewhere", Recordings.Current("Elsewhere")?.Id);
        await WaitForStatusAsync("Elsewhere", "started");
    }
}

/// <summary>OpenVidu's default: recording disabled (501).</summary>
public sealed class CallRecordingsDisabledTests
{
    [Fact]
    public async Task Recording_disabled_is_501_explained_and_remembered()
    {
        await using var app = await EmulatedApp.StartAsync();
        var recordings = app.Get<CallRecordings>();
        var admin = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin"), new Claim(ClaimTypes.Role, "Admin")], "test"));
        await app.Get<ConnectionIssuer>().IssueAsync("Off", "publisher1", "Pub", ConnectionKind.Camera, TestContext.Current.CancellationToken);

        Assert.False(await recordings.IsEnabledAsync(TestContext.Current.CancellationToken));
        var result = await recordings.StartAsync(admin, "Off", TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded);
        Assert.Equal(RecordingMessages.Disabled, result.Message);
        Assert.False(recordings.Enabled);
    }
}
