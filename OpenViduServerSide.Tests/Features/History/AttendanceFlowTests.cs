using System.Security.Claims;
using OpenViduEmulator.Testing;
using OpenViduServerSide.Features.Accounts;
using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Features.History;
using OpenViduServerSide.Features.Moderation;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.History;

/// <summary>
/// Attendance as a call leaves it behind: people join over the real JSON-RPC socket, a moderator removes one, another
/// leaves, OpenVidu's webhooks reach the app, and the CSV of that call says who, as what, when and how they left.
/// </summary>
public sealed class AttendanceFlowTests : IAsyncLifetime
{
    private EmulatedApp app = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => app = await EmulatedApp.StartAsync(new EmulatedAppOptions { Webhooks = true });

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private Task<(IssuedConnection Issued, OpenViduRpcClient Tab)> JoinAsync(string session, string user, string nickname) =>
        app.JoinOverRpcAsync(session, user, nickname);

    [Fact]
    public async Task The_csv_of_a_call_names_everyone_with_their_role_times_and_who_removed_whom()
    {
        var started = DateTime.UtcNow;
        var (_, teacherTab) = await JoinAsync("Lesson", "moderator", "Teacher");
        var (bob, _) = await JoinAsync("Lesson", "publisher2", "Bob");
        var (_, aliceTab) = await JoinAsync("Lesson", "publisher1", "Alice");
        var moderator = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "moderator"), new Claim(ClaimTypes.Role, Roles.Moderator)], "test"));

        Assert.True((await app.Get<CallModeration>().RemoveAsync(moderator, "Lesson", bob.ConnectionId, null, Ct)).Succeeded);
        await aliceTab.LeaveAsync();
        await teacherTab.LeaveAsync();
        await app.Get<CallDirectory>().UntilAsync(d => d.GetParticipants("Lesson").Count == 0, TimeSpan.FromSeconds(10));
        await app.Get<CallHistoryWriter>().FlushAsync();
        var report = app.Get<AttendanceReport>();
        var callId = Assert.Single(await report.ForDaysAsync(DateOnly.FromDateTime(started), DateOnly.FromDateTime(DateTime.UtcNow), "publisher2", Ct)).CallId;

        // (Who may download it is AttendanceTests' business: this host runs on Kestrel over http, where HttpClient drops the secure sign-in cookie.)
        var csv = AttendanceReport.ToCsv(await report.ForCallAsync(callId, Ct), DateTime.UtcNow);

        var rows = csv.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Split(',')).ToList();
        Assert.Equal(["moderator Teacher MODERATOR left", "publisher2 Bob PUBLISHER removed by moderator", "publisher1 Alice PUBLISHER left"],
            rows.Select(r => $"{r[2]} {r[3]} {r[4]} {r[8]}"));
        foreach (var row in rows)
        {
            var joined = DateTime.Parse(row[5], null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);
            var left = DateTime.Parse(row[6], null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);
            Assert.InRange(joined, started.AddSeconds(-2), left);
            Assert.InRange(left, joined, DateTime.UtcNow.AddSeconds(2));
            Assert.Matches(@"^0:00:\d\d$", row[7]);
        }
    }
}
