using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using OpenViduEmulator.Tests.Infrastructure;

namespace OpenViduEmulator.Tests.Browser;

/// <summary>
/// The official openvidu-browser 2.32.2 bundle in headless Chromium against the emulator (contract §3.7).
/// Synchronisation waits on page state (WaitForFunctionAsync) or on emulator state, never on sleeps.
/// </summary>
public sealed class BrowserFidelityTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    // An upper bound, not a delay: openvidu-browser's own timers (5 s pong wait, 3 s between reconnection attempts)
    // run inside it, and a loaded 2-core CI machine can stretch them.
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(40);
    private readonly List<IPage> pages = [];
    private EmulatorRoom room = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => room = await EmulatorRoom.StartAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var page in pages)
        {
            await page.Context.CloseAsync();
        }

        await room.DisposeAsync();
    }

    [Fact]
    public async Task TwoParticipants_SeeEachOther_AndAChatSignalArrives()
    {
        var sessionId = await room.Http.CreateSessionAsync("browser-chat");
        var (a, aId) = await JoinAsync(sessionId, "PUBLISHER", "alice");
        var (b, bId) = await JoinAsync(sessionId, "PUBLISHER", "bob");

        await WaitForEventAsync(a, "connectionCreated", "connectionId", bId);
        await WaitForEventAsync(b, "connectionCreated", "connectionId", aId);
        await a.EvaluateAsync("data => window.signal(data)", "hello bob");
        await WaitForEventAsync(b, "signal:chat", "data", "hello bob");
        var signal = await b.EvaluateAsync<JsonElement>("() => window.events.find(e => e.type === 'signal:chat')");

        Assert.Equal(aId, signal.GetProperty("from").GetString());
        var connections = room.Controls.Sessions.Single().Connections;
        Assert.All(connections, c =>
        {
            Assert.Equal("active", c.Status);
            Assert.Contains("Chrome", c.Platform, StringComparison.Ordinal);
        });
        var data = await b.EvaluateAsync<string>("id => window.events.find(e => e.type === 'connectionCreated' && e.connectionId === id).data", aId);
        Assert.Equal("alice%/%server-alice", data);
    }

    [Fact]
    public async Task FakeCameraPublish_Resolves_WithTheSynthesisedAnswer_AndTheOtherSideGetsStreamCreated()
    {
        var sessionId = await room.Http.CreateSessionAsync("browser-publish");
        var (a, aId) = await JoinAsync(sessionId, "PUBLISHER", "alice");
        var (b, _) = await JoinAsync(sessionId, "SUBSCRIBER", "bob");

        var published = await a.EvaluateAsync<JsonElement>("() => window.publish()");
        var streamId = published.GetProperty("streamId").GetString()!;
        await WaitForEventAsync(b, "streamCreated", "streamId", streamId);

        Assert.Equal("stable", published.GetProperty("signalingState").GetString());
        Assert.Equal("answer", published.GetProperty("remoteType").GetString());
        Assert.StartsWith($"str_CAM_", streamId, StringComparison.Ordinal);
        Assert.EndsWith(aId, streamId, StringComparison.Ordinal);
        var stream = room.Controls.Snapshot().FindConnection(aId)!.Streams.Single();
        Assert.Equal(streamId, stream.Id);
        Assert.True(stream.HasVideo);
        Assert.Equal("CAMERA", stream.TypeOfVideo);
    }

    [Fact]
    public async Task RestEviction_GivesTheVictimSessionDisconnected_ForceDisconnectByServer()
    {
        var sessionId = await room.Http.CreateSessionAsync("browser-evict");
        var (a, aId) = await JoinAsync(sessionId, "MODERATOR", "alice");
        var (b, bId) = await JoinAsync(sessionId, "PUBLISHER", "bob");
        await WaitForEventAsync(a, "connectionCreated", "connectionId", bId);

        using var response = await room.Http.DeleteAsync($"openvidu/api/sessions/{sessionId}/connection/{bId}", Ct);
        await WaitForEventAsync(b, "sessionDisconnected", "reason", "forceDisconnectByServer");
        await WaitForEventAsync(a, "connectionDestroyed", "reason", "forceDisconnectByServer");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal([aId], room.Controls.Sessions.Single().Connections.Select(c => c.Id));
    }

    [Fact]
    public async Task DroppedSocket_LeadsToNetworkDisconnect_ForTheOtherAndTheVictim()
    {
        var sessionId = await room.Http.CreateSessionAsync("browser-drop");
        var (a, _) = await JoinAsync(sessionId, "PUBLISHER", "alice");
        var (b, bId) = await JoinAsync(sessionId, "PUBLISHER", "bob");
        await WaitForEventAsync(a, "connectionCreated", "connectionId", bId);

        Assert.True(room.Controls.DropSocket(bId));
        await WaitForEventAsync(a, "connectionDestroyed", "reason", "networkDisconnect");
        await room.Controls.WaitForAsync(s => s.FindConnection(bId) is null, Wait, Ct);
        await WaitForEventAsync(b, "reconnecting");
        await WaitForEventAsync(b, "sessionDisconnected", "reason", "networkDisconnect");
    }

    private async Task<(IPage Page, string ConnectionId)> JoinAsync(string sessionId, string role, string name)
    {
        var page = await browser.OpenPageAsync();
        pages.Add(page);
        var (connectionId, token) = await room.Http.CreateConnectionAsync(sessionId, role, "server-" + name);
        var joined = await page.EvaluateAsync<string>("([token, metadata]) => window.join(token, metadata)", new[] { token, name });
        Assert.Equal(connectionId, joined);
        return (page, connectionId);
    }

    private static async Task WaitForEventAsync(IPage page, string type, string? key = null, string? value = null) =>
        await page.WaitForFunctionAsync(
            "([type, key, value]) => window.has(type, key ?? undefined, value ?? undefined)",
            new[] { type, key, value },
            new PageWaitForFunctionOptions { Timeout = (float)Wait.TotalMilliseconds });
}
