using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenViduEmulator.Testing;
using OpenViduServerSide.Features.Admin;
using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Features.Recordings;
using OpenViduServerSide.OpenVidu;
using OpenViduServerSide.ScaleOut;
using OpenViduServerSide.Tests.Infrastructure;
using StackExchange.Redis;

namespace OpenViduServerSide.Tests.Features.Directory;

/// <summary>
/// Two instances of one deployment (the same OpenVidu, database and Redis; on the test server, in this process) keep
/// one directory: what one instance learns, the other shows. Against the test run's real Redis.
/// </summary>
public sealed class SeveralInstancesTests : IAsyncLifetime
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(5);
    private EmulatedApp app = null!;
    private AppFactory other = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CallDirectory A => app.Get<CallDirectory>();

    private CallDirectory B => other.Services.GetRequiredService<CallDirectory>();

    public async ValueTask InitializeAsync()
    {
        app = await EmulatedApp.StartAsync(new() { Redis = true, Webhooks = true });
        other = app.StartInstance();
        await WaitUntilJoinedAsync();
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Someone_who_joins_on_one_instance_is_in_the_call_on_the_other_and_leaves_it_there_too()
    {
        var (alice, tab) = await app.JoinOverRpcAsync("Shared", "publisher1", "Alice");

        await B.UntilAsync(d => d.FindParticipant("Shared", alice.ConnectionId) is { IsActive: true }, Soon);
        var seen = B.FindParticipant("Shared", alice.ConnectionId)!;
        Assert.Equal(("publisher1", "Alice", "PUBLISHER"), (seen.UserName, seen.Nickname, seen.Role));
        Assert.Equal(A.FindParticipant("Shared", alice.ConnectionId)!.CallId, seen.CallId);

        A.SetHand("Shared", alice.ConnectionId, raised: true);
        await B.UntilAsync(d => d.FindParticipant("Shared", alice.ConnectionId)?.HandRaisedAt is not null, Soon);

        await tab.LeaveAsync();
        await B.UntilAsync(d => d.GetParticipants("Shared").Count == 0 && !d.SessionNamesInUse.Contains("Shared"), Soon);
    }

    [Fact]
    public async Task A_webhook_posted_to_the_other_instance_reaches_this_one()
    {
        const long t0 = 1_700_000_000_000;
        var joined = $$"""{"sessionId":"Hooked","uniqueSessionId":"Hooked_{{t0}}","timestamp":{{t0 + 100}},"participantId":"con_WEBHOOKAAA","connectionId":"con_WEBHOOKAAA","serverData":"{\"serverData\":\"publisher1\",\"kind\":\"camera\",\"role\":\"PUBLISHER\",\"nickname\":\"Alice\"}","event":"participantJoined"}""";
        var recording = $$"""{"sessionId":"Hooked","uniqueSessionId":"Hooked_{{t0}}","timestamp":{{t0 + 200}},"id":"Hooked","name":"Hooked","outputMode":"COMPOSED","startTime":{{t0 + 200}},"size":0,"duration":0,"status":"started","event":"recordingStatusChanged"}""";

        await PostWebhookToOtherAsync(joined);
        await PostWebhookToOtherAsync(recording);

        await A.UntilAsync(d => d.FindParticipant("Hooked", "con_WEBHOOKAAA") is { IsActive: true, UserName: "publisher1" }, Soon);
        var recordings = app.Get<CallRecordings>();
        await Until(() => Task.FromResult(recordings.Current("Hooked") is not null));
    }

    [Fact]
    public async Task A_grant_to_speak_and_a_role_switch_on_one_instance_reach_the_page_on_the_other()
    {
        var (bob, _) = await app.JoinOverRpcAsync("Stage", "subscriber", "Bob");
        await B.UntilAsync(d => d.FindParticipant("Stage", bob.ConnectionId) is { IsActive: true }, Soon);
        var told = new TaskCompletionSource<RoleSwitch>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var page = B.OnRoleSwitch("Stage", "subscriber", change =>
        {
            told.TrySetResult(change);
            return Task.CompletedTask;
        });
        // Instance A has heard of B's listening page.
        await Until(() => Task.FromResult(A.RemoteListenerCount("Stage", "subscriber") == 1));

        Assert.True(A.SetSpeaker("Stage", "subscriber", maySpeak: true));
        var pages = A.SwitchRole(new RoleSwitch("Stage", "subscriber", RoleSwitchCause.LetSpeak, "a moderator (moderator)"));

        Assert.Equal(1, pages);
        var change = await told.Task.WaitAsync(Soon, Ct);
        Assert.Equal(RoleSwitchCause.LetSpeak, change.Cause);
        // The grant arrived before the switch, so B's page mints a PUBLISHER connection on B.
        Assert.True(B.MaySpeak("Stage", "subscriber"));
        var switched = await other.Services.GetRequiredService<ConnectionIssuer>().IssueAsync("Stage", "subscriber", "Bob", ConnectionKind.Camera, Ct);
        Assert.Equal("PUBLISHER", switched.Role);
    }

    [Fact]
    public async Task A_moderator_on_one_instance_removes_someone_who_joined_on_the_other_and_both_say_who_did()
    {
        var (carol, tab) = await app.JoinOverRpcAsync("Meeting", "publisher1", "Carol");
        await B.UntilAsync(d => d.FindParticipant("Meeting", carol.ConnectionId) is { IsActive: true }, Soon);
        var leftOnA = new TaskCompletionSource<DirectoryChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watch = A.Subscribe("Meeting", change =>
        {
            if (change.Kind == DirectoryChangeKind.Left)
            {
                leftOnA.TrySetResult(change);
            }

            return Task.CompletedTask;
        });

        var result = await other.Services.GetRequiredService<OpenViduServerSide.Features.Moderation.CallModeration>()
            .RemoveAsync(EmulatedApp.User("admin", "Admin"), "Meeting", carol.ConnectionId, "off topic", Ct);

        Assert.True(result.Succeeded, result.Message);
        await tab.WaitForNotificationAsync(n => n["method"]!.GetValue<string>() == "participantEvicted", Soon, Ct);
        var left = await leftOnA.Task.WaitAsync(Soon, Ct);
        Assert.Equal((carol.ConnectionId, "admin"), (left.Participant!.ConnectionId, left.RemovedBy));
    }

    [Fact]
    public async Task An_admin_locking_someone_on_one_instance_ends_their_call_joined_on_the_other()
    {
        var issuerOnB = other.Services.GetRequiredService<ConnectionIssuer>();
        var dave = await issuerOnB.IssueAsync("Review", "publisher1", "Dave", ConnectionKind.Camera, Ct);
        await using var tab = await OpenViduRpcClient.JoinAsync(dave.Token, OpenViduRpcClient.ClientData("Dave"), Ct);
        B.MarkJoined("Review", dave.ConnectionId);
        await A.UntilAsync(d => d.FindParticipant("Review", dave.ConnectionId) is { IsActive: true }, Soon);

        using (var scope = app.Services.CreateScope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<UserAdministration>().LockAsync("admin", "publisher1", Ct);
            Assert.True(result.Succeeded, result.Message);
        }

        await tab.WaitForNotificationAsync(n => n["method"]!.GetValue<string>() == "participantEvicted", Soon, Ct);
        await B.UntilAsync(d => d.FindParticipant("Review", dave.ConnectionId) is null, Soon);
    }

    [Fact]
    public async Task A_role_change_saved_on_one_instance_applies_at_once_to_the_next_join_on_the_other()
    {
        var rolesOnB = other.Services.GetRequiredService<UserCallRoles>();
        Assert.Equal("PUBLISHER", await rolesOnB.GetOpenViduRoleAsync("publisher1", Ct));

        using (var scope = app.Services.CreateScope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<UserAdministration>().SetOpenViduRoleAsync("admin", "publisher1", "SUBSCRIBER", Ct);
            Assert.True(result.Succeeded, result.Message);
        }

        // B's cache would keep PUBLISHER for UserCallRoles.MaxAge (10 s) had A not told it.
        await Until(async () => await rolesOnB.GetOpenViduRoleAsync("publisher1", Ct) == "SUBSCRIBER", TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task An_instance_that_lost_Redis_catches_up_from_OpenVidu_and_says_so_until_it_has()
    {
        // Someone joins with a token minted at OpenVidu directly while OpenVidu's webhooks are held: no instance hears of it.
        using (app.Emulator.Controls.HoldWebhooks())
        {
            var openVidu = app.Get<OpenViduClient>();
            await openVidu.OpenSessionAsync("Unseen", Ct);
            var zoe = await openVidu.CreateConnectionAsync("Unseen", new ConnectionProperties("PUBLISHER", """{"serverData":"publisher1","nickname":"Zoe"}"""), Ct);
            await using var tab = await OpenViduRpcClient.JoinAsync(zoe.Token!, OpenViduRpcClient.ClientData("Zoe"), Ct);
            Assert.Empty(B.GetParticipants("Unseen"));

            // B's Redis connections drop; when they are back, B asks OpenVidu.
            await KillRedisClientsOfAsync(other);

            await B.UntilAsync(d => d.FindParticipant("Unseen", zoe.Id) is { IsActive: true, Nickname: "Zoe" }, TimeSpan.FromSeconds(10));
            var health = other.Services.GetRequiredService<HealthCheckService>();
            // Redis's client reconnects with a back-off that grows under load.
            await Until(async () => (await health.CheckHealthAsync(c => c.Name == "instances", Ct)).Status == HealthStatus.Healthy, TimeSpan.FromSeconds(30));
            // What B learned, it told A.
            await A.UntilAsync(d => d.FindParticipant("Unseen", zoe.Id) is { IsActive: true }, Soon);
        }
    }

    [Fact]
    public async Task A_catch_up_that_OpenVidu_refuses_is_tried_again_until_it_succeeds()
    {
        using (app.Emulator.Controls.HoldWebhooks())
        {
            var openVidu = app.Get<OpenViduClient>();
            await openVidu.OpenSessionAsync("Refused", Ct);
            var zoe = await openVidu.CreateConnectionAsync("Refused", new ConnectionProperties("PUBLISHER", """{"serverData":"publisher1","nickname":"Zoe"}"""), Ct);
            await using var tab = await OpenViduRpcClient.JoinAsync(zoe.Token!, OpenViduRpcClient.ClientData("Zoe"), Ct);

            // B's first catch-up fails: its GET /sessions and the resilience pipeline's retries all get a 500.
            app.Emulator.Controls.FailNext(4, 500);
            await KillRedisClientsOfAsync(other);

            // Left "catching up" after the failure, B would never hear of Zoe.
            await B.UntilAsync(d => d.FindParticipant("Refused", zoe.Id) is { IsActive: true }, TimeSpan.FromSeconds(30));
            var health = other.Services.GetRequiredService<HealthCheckService>();
            await Until(async () => (await health.CheckHealthAsync(c => c.Name == "instances", Ct)).Status == HealthStatus.Healthy, TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task Unused_connections_are_capped_across_instances()
    {
        await using var capped = await EmulatedApp.StartAsync(new() { Redis = true, Settings = new Dictionary<string, string?> { ["Calls:MaxPendingPerUser"] = "2" } });
        var second = capped.StartInstance();
        var onA = capped.Get<ConnectionIssuer>();
        var onB = second.Services.GetRequiredService<ConnectionIssuer>();
        var first = await onA.IssueAsync("Capped", "publisher1", "Alice", ConnectionKind.Camera, Ct);
        await second.Services.GetRequiredService<CallDirectory>().UntilAsync(d => d.FindParticipant("Capped", first.ConnectionId) is not null, Soon);
        await onB.IssueAsync("Capped", "publisher1", "Alice", ConnectionKind.Camera, Ct);
        await capped.Get<CallDirectory>().UntilAsync(d => d.CountPending("publisher1", "Capped").OfUser == 2, Soon);

        await Assert.ThrowsAsync<CallRefusedException>(() => onA.IssueAsync("Capped", "publisher1", "Alice", ConnectionKind.Camera, Ct));
        await Assert.ThrowsAsync<CallRefusedException>(() => onB.IssueAsync("Capped", "publisher1", "Alice", ConnectionKind.Camera, Ct));
    }

    [Fact]
    public async Task An_instance_starts_while_Redis_is_away_serves_its_pages_and_says_it_is_degraded()
    {
        // Nothing listens on the discard port.
        await using var alone = new AppFactory(settings: new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = "127.0.0.1:9,connectTimeout=500" });
        using var client = alone.CreateClient();

        using var live = await client.GetAsync("/health", Ct);
        var report = await alone.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Name == "instances", Ct);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HealthStatus.Degraded, report.Status);
        Assert.Contains("Redis is unreachable", report.Entries["instances"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_instance_started_before_Redis_joins_the_others_when_Redis_comes()
    {
        var port = TestServers.FreePort();
        await using var early = await EmulatedApp.StartAsync(new()
        {
            Redis = true,
            Settings = new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = $"127.0.0.1:{port},connectTimeout=500" },
        });
        var health = early.Services.GetRequiredService<HealthCheckService>();
        Assert.Equal(HealthStatus.Degraded, (await health.CheckHealthAsync(c => c.Name == "instances", Ct)).Status);

        await using var redis = await TestServers.StartPrivateRedisAsync(port, Ct);
        var late = early.StartInstance();

        // The early instance hears the late one once its subscriptions are made: a change made on the late one arrives.
        var lateDirectory = late.Services.GetRequiredService<CallDirectory>();
        await Until(async () =>
        {
            var probe = $"probe-{Guid.NewGuid():N}";
            lateDirectory.Issued(probe, null, "con_" + probe, "probe", "Probe", "PUBLISHER", ConnectionKind.Camera);
            var arrived = await early.Get<CallDirectory>().UntilAsync(d => d.FindParticipant(probe, "con_" + probe) is not null, TimeSpan.FromMilliseconds(500)).ContinueWith(t => t.IsCompletedSuccessfully);
            lateDirectory.Forget(probe, "con_" + probe, "probe");
            return arrived;
        }, TimeSpan.FromSeconds(15));
        await Until(async () => (await health.CheckHealthAsync(c => c.Name == "instances", Ct)).Status == HealthStatus.Healthy);
    }

    private async Task PostWebhookToOtherAsync(string body)
    {
        using var client = other.CreateBrowserLikeClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/openvidu/webhook") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(EmulatedApp.WebhookHeaderName, EmulatedApp.WebhookHeaderValue);
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Both instances listen on Redis (each has greeted the deployment; B's hello reached A).</summary>
    private async Task WaitUntilJoinedAsync()
    {
        var health = other.Services.GetRequiredService<HealthCheckService>();
        await Until(async () => (await health.CheckHealthAsync(c => c.Name == "instances", Ct)).Status == HealthStatus.Healthy);
        await Until(async () =>
        {
            // A change on A that B applies proves the path A → Redis → B.
            var probe = $"probe-{Guid.NewGuid():N}";
            A.Issued(probe, null, "con_" + probe, "probe", "Probe", "PUBLISHER", ConnectionKind.Camera);
            var arrived = await B.UntilAsync(d => d.FindParticipant(probe, "con_" + probe) is not null, TimeSpan.FromMilliseconds(500)).ContinueWith(t => t.IsCompletedSuccessfully);
            A.Forget(probe, "con_" + probe, "probe");
            return arrived;
        });
    }

    private static async Task KillRedisClientsOfAsync(AppFactory instance)
    {
        var instanceId = instance.Services.GetRequiredService<IInstanceBus>().InstanceId;
        await using var admin = await ConnectionMultiplexer.ConnectAsync(TestServers.Redis + ",allowAdmin=true");
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        foreach (var client in (await server.ClientListAsync()).Where(c => c.Name == instanceId))
        {
            await server.ClientKillAsync(client.Address!);
        }
    }

    private static async Task Until(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(timeout ?? Soon);
        while (!await condition())
        {
            await Task.Delay(25, limit.Token);
        }
    }
}
