using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using OpenViduEmulator;
using OpenViduServerSide.Features.Accounts;
using OpenViduServerSide.OpenVidu;

namespace OpenViduServerSide.Tests.OpenVidu;

/// <summary>The typed client, wired exactly as the app wires it, over real HTTP against the emulator on loopback.</summary>
public sealed class OpenViduClientTests : IAsyncLifetime
{
    private OpenViduEmulatorServer emulator = default!;
    private IHost host = default!;
    private OpenViduClient client = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        emulator = await OpenViduEmulatorServer.StartAsync(cancellationToken: Ct);
        (host, client) = BuildClient(emulator.BaseUrl, emulator.Secret, TimeSpan.FromSeconds(2));
    }

    public async ValueTask DisposeAsync()
    {
        host.Dispose();
        await emulator.DisposeAsync();
    }

    internal static (IHost Host, OpenViduClient Client) BuildClient(string url, string secret, TimeSpan timeout)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OpenVidu:Url"] = url,
            ["OpenVidu:Secret"] = secret,
            ["OpenVidu:Timeout"] = timeout.ToString(),
        });
        builder.AddOpenVidu();
        var host = builder.Build();
        return (host, host.Services.GetRequiredService<OpenViduClient>());
    }

    [Fact]
    public async Task Creating_a_named_session_twice_gives_it_once_and_409_is_not_an_error()
    {
        var first = await client.CreateSessionAsync(new SessionProperties("Room-1"), Ct);
        var second = await client.CreateSessionAsync(new SessionProperties("Room-1"), Ct);

        Assert.NotNull(first);
        Assert.Equal("Room-1", first.Id);
        Assert.Equal("Room-1", first.CustomSessionId);
        Assert.Equal("ROUTED", first.MediaMode);
        Assert.Empty(first.Connections.Content);
        Assert.Null(second);
        Assert.Equal("Room-1", (await client.OpenSessionAsync("Room-1", Ct)).SessionId);
        Assert.Single(emulator.Controls.Sessions);
    }

    [Fact]
    public async Task Generated_ids_follow_OpenVidu_format_and_bad_custom_ids_are_refused_with_OpenVidu_message()
    {
        var generated = await client.CreateSessionAsync(new SessionProperties(), Ct);
        var bad = await Assert.ThrowsAsync<OpenViduException>(() => client.CreateSessionAsync(new SessionProperties("has space"), Ct));

        Assert.Matches("^ses_[A-Z][a-zA-Z0-9]{9}$", generated!.Id);
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Contains("customSessionId", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_list_and_close_sessions()
    {
        await client.OpenSessionAsync("Listed", Ct);

        Assert.Null(await client.GetSessionAsync("Nope", cancellationToken: Ct));
        Assert.Equal("Listed", (await client.GetSessionAsync("Listed", cancellationToken: Ct))?.Id);
        Assert.Contains(await client.ListSessionsAsync(cancellationToken: Ct), s => s.Id == "Listed");
        Assert.True(await client.CloseSessionAsync("Listed", Ct));
        Assert.False(await client.CloseSessionAsync("Listed", Ct));
        Assert.Empty(emulator.Controls.Sessions);
    }

    [Theory]
    [InlineData(Roles.Publisher)]
    [InlineData(Roles.Subscriber)]
    [InlineData(Roles.Moderator)]
    public async Task Connections_carry_role_and_data_and_a_token_for_the_browser(string role)
    {
        await client.OpenSessionAsync("Roles", Ct);

        var connection = await client.CreateConnectionAsync("Roles", new ConnectionProperties(role, "{\"serverData\":\"alice\"}"), Ct);

        Assert.Matches("^con_[A-Z][a-zA-Z0-9]{9}$", connection.Id);
        Assert.Equal("pending", connection.Status);
        Assert.False(connection.IsActive);
        Assert.Equal(role, connection.Role);
        Assert.Equal("{\"serverData\":\"alice\"}", connection.ServerData);
        Assert.Null(connection.ActiveAt);
        Assert.StartsWith($"ws://127.0.0.1:{emulator.Port}?sessionId=Roles&token=tok_", connection.Token, StringComparison.Ordinal);
        var stored = emulator.Controls.Snapshot().FindConnection(connection.Id);
        Assert.Equal(role, stored?.Role);
    }

    [Fact]
    public async Task Connection_in_an_unknown_session_is_a_404()
    {
        var error = await Assert.ThrowsAsync<OpenViduException>(() =>
            client.CreateConnectionAsync("Ghost", new ConnectionProperties(Roles.Publisher), Ct));

        Assert.Equal(HttpStatusCode.NotFound, error.Status);
    }

    [Fact]
    public async Task A_session_OpenVidu_closed_is_created_again_for_the_next_connection()
    {
        var first = await client.CreateConnectionInSessionAsync("Reborn", new ConnectionProperties(Roles.Publisher), cancellationToken: Ct);
        await client.CloseSessionAsync("Reborn", Ct);

        // The caller still believes the session is alive: the 404 path must recover by itself.
        var again = await client.CreateConnectionInSessionAsync("Reborn", new ConnectionProperties(Roles.Publisher), sessionKnownAlive: true, Ct);

        Assert.Equal("Reborn", again.Connection.SessionId);
        Assert.Single(emulator.Controls.Sessions[0].Connections);
        // ...and say it is another lifetime of the name, so the caller does not file it under the closed one.
        Assert.Equal(emulator.Controls.Sessions[0].CreatedAt, again.Session?.CreatedAt);
        Assert.NotEqual(first.Session, again.Session);
    }

    [Fact]
    public async Task Connection_lookups_and_deletes_follow_OpenVidu_400_versus_404()
    {
        var connection = (await client.CreateConnectionInSessionAsync("Lookups", new ConnectionProperties(Roles.Publisher), cancellationToken: Ct)).Connection;

        Assert.Single((await client.ListConnectionsAsync("Lookups", Ct))!);
        Assert.Null(await client.ListConnectionsAsync("Unknown", Ct));
        Assert.True(await client.DeleteConnectionAsync("Lookups", connection.Id, Ct));
        Assert.False(await client.DeleteConnectionAsync("Lookups", connection.Id, Ct));
        Assert.False(await client.DeleteConnectionAsync("Unknown", connection.Id, Ct));
        Assert.False(await client.ForceUnpublishAsync("Unknown", "str_CAM_Abcd_con_Nope000000", Ct));
    }

    [Fact]
    public async Task Signals_need_a_session_with_people_in_it()
    {
        await client.OpenSessionAsync("Quiet", Ct);

        var nobody = await Assert.ThrowsAsync<OpenViduException>(() => client.SignalAsync(new SignalRequest("Quiet", Type: "signal:chat", Data: "hi"), Ct));
        var unknown = await Assert.ThrowsAsync<OpenViduException>(() => client.SignalAsync(new SignalRequest("Unknown", Type: "signal:chat"), Ct));

        Assert.Equal(HttpStatusCode.NotAcceptable, nobody.Status);
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
    }

    [Fact]
    public async Task Recording_endpoints_say_recording_is_disabled()
    {
        var start = await Assert.ThrowsAsync<OpenViduException>(() => client.StartRecordingAsync(new RecordingProperties("Any"), Ct));
        var list = await Assert.ThrowsAsync<OpenViduException>(() => client.ListRecordingsAsync(Ct));

        Assert.Equal(HttpStatusCode.NotImplemented, start.Status);
        Assert.Equal(HttpStatusCode.NotImplemented, list.Status);
        Assert.Contains("Recording is disabled", start.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_reports_the_version()
    {
        var config = await client.GetConfigAsync(Ct);

        Assert.Equal("2.32.2", config.Version);
        Assert.False(config.Recording);
    }

    [Fact]
    public async Task A_wrong_secret_is_reported_as_such()
    {
        var (otherHost, wrong) = BuildClient(emulator.BaseUrl, "not-the-secret", TimeSpan.FromSeconds(2));
        using var _ = otherHost;

        var error = await Assert.ThrowsAsync<OpenViduException>(() => wrong.GetConfigAsync(Ct));

        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
        Assert.Contains("OpenVidu:Secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Twenty_concurrent_creates_of_one_name_give_one_session_and_no_error()
    {
        var ids = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.OpenSessionAsync("Rush", Ct)));

        Assert.All(ids, id => Assert.Equal("Rush", id.SessionId));
        Assert.Single(emulator.Controls.Sessions);
    }

    [Fact]
    public async Task Reads_are_retried_after_a_server_error_but_creates_are_not()
    {
        emulator.Controls.FailNext(1, 500);
        var sessions = await client.ListSessionsAsync(cancellationToken: Ct);

        emulator.Controls.FailNext(1, 500);
        var error = await Assert.ThrowsAsync<OpenViduException>(() => client.CreateSessionAsync(new SessionProperties("Once"), Ct));

        Assert.Empty(sessions);
        Assert.Equal(HttpStatusCode.InternalServerError, error.Status);
        Assert.Empty(emulator.Controls.Sessions);
    }

    [Fact]
    public async Task OpenVidu_down_gives_a_clear_error_within_the_configured_timeout()
    {
        await emulator.Controls.GoDownAsync(Ct);
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<OpenViduUnavailableException>(() => client.OpenSessionAsync("Down", Ct));

        Assert.Contains("is not answering", error.Message, StringComparison.Ordinal);
        // Two seconds configured; the bound only proves the error does not wait for TCP or OS timeouts.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"took {clock.Elapsed}");
        await emulator.Controls.GoUpAsync(Ct);
        Assert.Equal("Down", (await client.OpenSessionAsync("Down", Ct)).SessionId);
    }

    [Fact]
    public async Task OpenVidu_too_slow_is_reported_as_unavailable()
    {
        emulator.Controls.Latency = TimeSpan.FromSeconds(5);

        var error = await Assert.ThrowsAsync<OpenViduUnavailableException>(() => client.CreateSessionAsync(new SessionProperties("Slow"), Ct));

        Assert.Contains("is not answering", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACreateSlowerThanThreeSecondsButWithinTheConfiguredTimeoutSucceeds()
    {
        var (slowHost, patient) = BuildClient(emulator.BaseUrl, emulator.Secret, TimeSpan.FromSeconds(8));
        using var _ = slowHost;
        emulator.Controls.DelayNextAnswers(1, TimeSpan.FromSeconds(3.5));

        var created = await patient.CreateSessionAsync(new SessionProperties("Patient"), Ct);

        Assert.Equal("Patient", created?.Id);
    }

    [Fact]
    public async Task AConnectionCreateThatAnswersAfterTheTimeoutLeavesNoOrphanAtOpenVidu()
    {
        var (slowHost, impatient) = BuildClient(emulator.BaseUrl, emulator.Secret, TimeSpan.FromSeconds(1));
        using var _ = slowHost;
        // The set-up goes through a patient client: on a loaded machine a cold first request alone can take a second.
        var (patientHost, patient) = BuildClient(emulator.BaseUrl, emulator.Secret, TimeSpan.FromSeconds(30));
        using var __ = patientHost;
        await patient.OpenSessionAsync("Late", Ct);
        // Another pending token of the same user in the same call must survive the clean-up.
        var other = await patient.CreateConnectionAsync("Late", new ConnectionProperties(Roles.Publisher, "{\"serverData\":\"alice\"}"), Ct);
        emulator.Controls.DelayNextAnswers(1, TimeSpan.FromSeconds(3));

        var error = await Assert.ThrowsAsync<OpenViduUnavailableException>(() => impatient.CreateConnectionInSessionAsync(
            "Late", new ConnectionProperties(Roles.Publisher, "{\"serverData\":\"alice\"}"), sessionKnownAlive: true, Ct));

        Assert.Contains("is not answering", error.Message, StringComparison.Ordinal);
        // OpenVidu created the connection before answering late; the client must revoke it, as nobody holds its token.
        var state = await emulator.Controls.WaitForAsync(
            s => s.Sessions.Single(x => x.Id == "Late").Connections.Count == 1, TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(other.Id, state.Sessions.Single(x => x.Id == "Late").Connections[0].Id);
    }

    [Fact]
    public async Task TheConcurrencyLimiterRefusingACallIsReportedAsUnavailable()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OpenVidu:Url"] = emulator.BaseUrl,
            ["OpenVidu:Secret"] = emulator.Secret,
            ["OpenVidu:Timeout"] = "00:00:05",
        });
        builder.AddOpenVidu();
        builder.Services.PostConfigureAll<HttpStandardResilienceOptions>(o => o.RateLimiter.DefaultRateLimiterOptions.PermitLimit = 1);
        using var limitedHost = builder.Build();
        var limited = limitedHost.Services.GetRequiredService<OpenViduClient>();
        emulator.Controls.DelayNextAnswers(1, TimeSpan.FromSeconds(1));

        var first = limited.GetConfigAsync(Ct);
        var second = await Assert.ThrowsAsync<OpenViduUnavailableException>(() => limited.ListSessionsAsync(cancellationToken: Ct));

        Assert.Equal("2.32.2", (await first).Version);
        Assert.Contains("is not answering", second.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheUnavailableMessageDoesNotRevealOpenViduAddress()
    {
        await emulator.Controls.GoDownAsync(Ct);

        var error = await Assert.ThrowsAsync<OpenViduUnavailableException>(() => client.ListSessionsAsync(cancellationToken: Ct));

        Assert.DoesNotContain("127.0.0.1", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(emulator.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }
}
