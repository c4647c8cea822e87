using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using OpenViduEmulator;
using OpenViduEmulator.Testing;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Features.History;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.History;

/// <summary>
/// History survives stops, restarts and a failing database: one call stays one call, nothing queued is lost. On SQLite
/// here, on PostgreSQL in <see cref="PostgreSqlHistoryDurabilityTests"/>.
/// </summary>
public class HistoryDurabilityTests : IAsyncLifetime
{
    private const string ServerData = """{"serverData":"publisher1","kind":"camera","role":"PUBLISHER","nickname":"Alice"}""";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly AppDatabase database;
    private OpenViduEmulatorServer emulator = default!;

    public HistoryDurabilityTests()
        : this(TestDatabase.Sqlite)
    {
    }

    protected HistoryDurabilityTests(TestDatabase kind) => database = AppDatabase.Create(kind);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => emulator = await OpenViduEmulatorServer.StartAsync(cancellationToken: Ct);

    public async ValueTask DisposeAsync()
    {
        await emulator.DisposeAsync();
        await database.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private AppFactory StartApp()
    {
        var app = new AppFactory(database, new Dictionary<string, string?>
        {
            ["OpenVidu:Url"] = emulator.BaseUrl,
            ["OpenVidu:Secret"] = emulator.Secret,
            ["OpenVidu:Timeout"] = EmulatedApp.OpenViduTimeout,
        });
        _ = app.Server;
        return app;
    }

    private async Task<List<CallRecord>> CallsAsync()
    {
        await using var db = database.CreateDbContext();
        return await db.Calls.Include(c => c.Participations).AsNoTracking().OrderBy(c => c.StartedAt).ToListAsync(Ct);
    }

    private async Task ExecuteSqlAsync(string statement)
    {
        await using var db = database.CreateDbContext();
        await db.Database.ExecuteSqlRawAsync(statement, Ct);
    }

    [Fact]
    public async Task A_call_that_goes_on_across_a_restart_stays_one_call_with_its_times()
    {
        IssuedConnection alice;
        OpenViduRpcClient tab;
        await using (var before = StartApp())
        {
            var issuer = before.Services.GetRequiredService<ConnectionIssuer>();
            alice = await issuer.IssueAsync("Weekly", "publisher1", "Alice", ConnectionKind.Camera, Ct);
            tab = await OpenViduRpcClient.JoinAsync(alice.Token, OpenViduRpcClient.ClientData("Alice"), Ct);
            before.Services.GetRequiredService<CallDirectory>().MarkJoined("Weekly", alice.ConnectionId);
            await before.Services.GetRequiredService<CallHistoryWriter>().FlushAsync();
        }

        await using (tab)
        {
            var started = Assert.Single(await CallsAsync()).StartedAt;
            var restartedAt = DateTime.UtcNow;
            await using var after = StartApp();
            var directory = after.Services.GetRequiredService<CallDirectory>();
            var history = after.Services.GetRequiredService<CallHistoryWriter>();
            await directory.UntilAsync(d => d.FindParticipant("Weekly", alice.ConnectionId)?.IsActive == true, Patience);
            await history.FlushAsync();

            // One call, still live, still started before the restart (OpenVidu's join time may refine it by milliseconds).
            var during = Assert.Single(await CallsAsync());
            Assert.Null(during.EndedAt);
            Assert.True(during.StartedAt <= started && started - during.StartedAt < TimeSpan.FromSeconds(1), $"{during.StartedAt:O} vs {started:O}");
            Assert.True(during.StartedAt < restartedAt);
            Assert.Null(Assert.Single(during.Participations).LeftAt);

            // She leaves; this app hears of it from OpenVidu (no webhooks here: the next reconciliation).
            await tab.LeaveAsync();
            await after.Services.GetRequiredService<DirectoryReconciler>().ReconcileAsync(Ct);
            await history.FlushAsync();
        }

        var call = Assert.Single(await CallsAsync());
        var participation = Assert.Single(call.Participations);
        Assert.Equal(alice.ConnectionId, participation.ConnectionId);
        Assert.NotNull(call.EndedAt);
        Assert.NotNull(participation.LeftAt);
        Assert.True(participation.LeftAt >= participation.JoinedAt && call.EndedAt >= call.StartedAt);
    }

    [Fact]
    public async Task A_call_that_ended_while_the_app_was_stopped_is_closed_at_the_next_start()
    {
        IssuedConnection bob;
        await using (var before = StartApp())
        {
            var issuer = before.Services.GetRequiredService<ConnectionIssuer>();
            bob = await issuer.IssueAsync("Gone", "publisher2", "Bob", ConnectionKind.Camera, Ct);
            await using var tab = await OpenViduRpcClient.JoinAsync(bob.Token, OpenViduRpcClient.ClientData("Bob"), Ct);
            before.Services.GetRequiredService<CallDirectory>().MarkJoined("Gone", bob.ConnectionId);
            await before.Services.GetRequiredService<CallHistoryWriter>().FlushAsync();
            // The app goes down with Bob still in the call (its directory learns nothing more); then he leaves.
            Assert.True(emulator.Controls.DropSocket(bob.ConnectionId));
        }

        Assert.Null(Assert.Single(await CallsAsync()).EndedAt);
        await using var after = StartApp();
        await after.Services.GetRequiredService<DirectoryReconciler>().ReconcileAsync(Ct);
        await after.Services.GetRequiredService<CallHistoryWriter>().FlushAsync();

        var call = Assert.Single(await CallsAsync());
        Assert.Equal(CallHistoryWriter.EndedUnseen, call.EndReason);
        Assert.NotNull(call.EndedAt);
        Assert.Equal(CallHistoryWriter.EndedUnseen, Assert.Single(call.Participations).LeftReason);
    }

    [Fact]
    public async Task Stopping_the_writer_writes_every_change_still_queued()
    {
        const int count = 400;
        await using var app = StartApp();
        var directory = InMemoryDirectory.Create();
        using var writer = new CallHistoryWriter(directory, app.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>(),
            TimeProvider.System, NullLogger<CallHistoryWriter>.Instance);
        await writer.StartAsync(Ct);
        for (var i = 0; i < count; i++)
        {
            directory.ParticipantJoined("Busy", "Busy_1700000000000", $"con_BUSY{i:D6}", ServerData, null, DateTimeOffset.UtcNow);
        }

        // No flush, and the stop comes at once, as the host's does: the writer must drain its queue itself.
        await writer.StopAsync(Ct);

        Assert.Equal(count, Assert.Single(await CallsAsync()).Participations.Count);
    }

    [Fact]
    public async Task A_failing_database_is_retried_the_app_stays_up_and_nothing_is_lost()
    {
        await using var app = StartApp();
        var directory = app.Services.GetRequiredService<CallDirectory>();
        var history = app.Services.GetRequiredService<CallHistoryWriter>();
        await ExecuteSqlAsync("""ALTER TABLE "Calls" RENAME TO "CallsHidden" """);

        // Every read and write of this batch fails (no such table; the SQL is one both engines accept).
        directory.ParticipantJoined("Broken", "Broken_1700000000000", "con_BROKEN0001", ServerData, null, DateTimeOffset.UtcNow);
        await history.FlushAsync().WaitAsync(Patience, Ct);
        Assert.False(app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);

        await ExecuteSqlAsync("""ALTER TABLE "CallsHidden" RENAME TO "Calls" """);

        directory.ParticipantJoined("Broken", "Broken_1700000000000", "con_BROKEN0002", ServerData, null, DateTimeOffset.UtcNow);
        await history.FlushAsync().WaitAsync(Patience, Ct);

        Assert.Equal(["con_BROKEN0001", "con_BROKEN0002"], Assert.Single(await CallsAsync()).Participations.Select(p => p.ConnectionId).Order());
    }
}

public sealed class PostgreSqlHistoryDurabilityTests() : HistoryDurabilityTests(TestDatabase.PostgreSql);
