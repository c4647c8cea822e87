using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Text.Json;
using Microsoft.Playwright;
using OpenViduEmulator.Tests.Infrastructure;

namespace OpenViduEmulator.Tests.Media;

/// <summary>
/// Real media: the official openvidu-browser 2.32.2 in headless Chromium publishes fake-camera video through the
/// emulator's Janus media plane, and the other page decodes it (<c>videoWidth</c>, <c>getStats()</c> framesDecoded).
/// Only inside tools/in-media-netns.sh (Janus gathers ICE candidates only on the veth jn0 = 127.0.0.2 there).
/// Synchronisation waits on page state (WaitForFunctionAsync) or emulator state, never on sleeps.
/// </summary>
[Collection(JanusMediaGroup.Name)]
public sealed class JanusMediaTests(MediaBrowserFixture browser) : IAsyncLifetime, IClassFixture<MediaBrowserFixture>
{
    // Upper bounds, not delays: ICE + DTLS + first keyframe on a loaded 2-core machine.
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(45);

    // "Frames keep coming": this many more frames decoded after the first ones (about 2 s at 15 fps).
    private const int MoreFrames = 30;

    private readonly List<IPage> pages = [];
    private EmulatorRoom? room;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private EmulatorRoom Room => room!;

    public async ValueTask InitializeAsync()
    {
        MediaNamespace.Require();
        room = await EmulatorRoom.StartAsync(new EmulatorOptions { MediaPlane = MediaPlane.Janus, Recording = true });
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var page in pages)
        {
            await page.Context.CloseAsync();
        }

        if (room is not null)
        {
            await room.DisposeAsync();
        }
    }

    [Fact]
    public async Task TwoPages_PublishAndSubscribeEachOther_DecodeRealVideo_ThenUnpublishAndLeaveRemoveTheStreams()
    {
        var sessionId = await Room.Http.CreateSessionAsync("media-pair");
        var (a, aId) = await JoinAsync(sessionId, "alice");
        var (b, bId) = await JoinAsync(sessionId, "bob");
        var streamA = await PublishAsync(a);
        var streamB = await PublishAsync(b);

        var bSeesA = await WaitForFramesAsync(b, streamA, "bob decodes alice");
        var aSeesB = await WaitForFramesAsync(a, streamB, "alice decodes bob");
        Assert.True(bSeesA.Width > 0 && aSeesB.Width > 0);

        // Subscriptions reached the emulator's state as in FakeSdp mode (receiveVideoFrom).
        var snapshot = Room.Controls.Snapshot();
        Assert.Equal([streamB], snapshot.FindConnection(aId)!.SubscribedStreamIds);
        Assert.Equal([streamA], snapshot.FindConnection(bId)!.SubscribedStreamIds);

        // alice unpublishes: bob's stream goes; alice still decodes bob.
        await a.EvaluateAsync("() => window.unpublish()");
        await WaitForEventAsync(b, "streamDestroyed", "streamId", streamA);
        Assert.Equal("unpublish", await b.EvaluateAsync<string>("id => window.events.find(e => e.type === 'streamDestroyed' && e.streamId === id).reason", streamA));
        await Room.Controls.WaitForAsync(s => s.FindConnection(bId)!.SubscribedStreamIds.Count == 0 && s.FindConnection(aId)!.Streams.Count == 0, Wait, Ct);
        await WaitForFramesAsync(a, streamB, "alice still decodes bob after her unpublish", aSeesB.Frames);

        // bob leaves while publishing: alice's subscription goes with reason disconnect.
        await b.EvaluateAsync("() => window.leave()");
        await WaitForEventAsync(a, "streamDestroyed", "streamId", streamB);
        await WaitForEventAsync(a, "connectionDestroyed", "connectionId", bId);
        Assert.Equal("disconnect", await a.EvaluateAsync<string>("id => window.events.find(e => e.type === 'streamDestroyed' && e.streamId === id).reason", streamB));
        await Room.Controls.WaitForAsync(s => s.FindConnection(bId) is null && s.FindConnection(aId)!.SubscribedStreamIds.Count == 0, Wait, Ct);
    }

    [Fact]
    public async Task RestForceUnpublish_RemovesTheStream_AndARepublishedStreamIsDecodedAgain()
    {
        var sessionId = await Room.Http.CreateSessionAsync("media-force");
        var (a, aId) = await JoinAsync(sessionId, "alice");
        var (b, _) = await JoinAsync(sessionId, "bob");
        var first = await PublishAsync(a);
        await WaitForFramesAsync(b, first, "bob decodes alice's first stream");

        using var response = await Room.Http.DeleteAsync($"openvidu/api/sessions/{sessionId}/stream/{first}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await WaitForEventAsync(b, "streamDestroyed", "streamId", first);
        Assert.Equal("forceUnpublishByServer", await b.EvaluateAsync<string>("id => window.events.find(e => e.type === 'streamDestroyed' && e.streamId === id).reason", first));

        // A new Janus publisher handle (new feed) for the same participant: bob subscribes and decodes again.
        var second = await PublishAsync(a);
        Assert.NotEqual(first, second);
        await WaitForFramesAsync(b, second, "bob decodes alice's republished stream");

        // REST eviction of the publisher, then REST close of the session.
        using var evicted = await Room.Http.DeleteAsync($"openvidu/api/sessions/{sessionId}/connection/{aId}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, evicted.StatusCode);
        await WaitForEventAsync(b, "streamDestroyed", "streamId", second);
        Assert.Equal("forceDisconnectByServer", await b.EvaluateAsync<string>("id => window.events.find(e => e.type === 'streamDestroyed' && e.streamId === id).reason", second));
        using var closed = await Room.Http.DeleteAsync($"openvidu/api/sessions/{sessionId}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, closed.StatusCode);
        await WaitForEventAsync(b, "sessionDisconnected", "reason", "sessionClosedByServer");
    }

    [Fact]
    public async Task Unsubscribe_Resubscribe_AndBothKindsOfReconnectStream_KeepTheVideoFlowing()
    {
        var sessionId = await Room.Http.CreateSessionAsync("media-reconnect");
        var forced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (a, _) = await JoinAsync(sessionId, "alice");
        var (b, bId) = await JoinAsync(sessionId, "bob", page => page.WebSocket += (_, socket) => socket.FrameReceived += (_, frame) =>
        {
            if (frame.Text?.Contains("\"forciblyReconnectSubscriber\"", StringComparison.Ordinal) == true)
            {
                forced.TrySetResult();
            }
        });
        var stream = await PublishAsync(a);
        var first = await WaitForFramesAsync(b, stream, "bob decodes alice");

        // unsubscribeFromVideo detaches bob's Janus subscriber handle; a new subscription gets a new one.
        await b.EvaluateAsync("id => window.unsubscribeFrom(id)", stream);
        await Room.Controls.WaitForAsync(s => s.FindConnection(bId)!.SubscribedStreamIds.Count == 0, Wait, Ct);
        await b.EvaluateAsync("id => window.subscribeTo(id)", stream);
        var resubscribed = await WaitForFramesAsync(b, stream, "bob decodes alice after unsubscribe + subscribe", notPc: first.Pc);

        // Subscriber reconnection: prepareReceiveVideoFrom {reconnect: true}, then reconnectStream with the answer.
        await b.EvaluateAsync("id => window.reconnectSubscriber(id)", stream);
        var reconnected = await WaitForFramesAsync(b, stream, "bob decodes alice after reconnecting his subscriber", notPc: resubscribed.Pc);

        // Publisher reconnection: reconnectStream with a new offer; bob is moved over by forciblyReconnectSubscriber.
        await a.EvaluateAsync("() => window.reconnectPublisher()");
        await forced.Task.WaitAsync(Wait, Ct);
        await WaitForFramesAsync(b, stream, "bob decodes alice after she reconnected her publisher", notPc: reconnected.Pc);
    }

    [Fact]
    public async Task Recording_WhileAliceSendsVideo_WritesAPlayableWebmOfHerTrack()
    {
        var sessionId = await Room.Http.CreateSessionAsync("media-rec");
        var (a, _) = await JoinAsync(sessionId, "alice");
        var (b, _) = await JoinAsync(sessionId, "bob");
        var streamA = await PublishAsync(a);
        var before = await WaitForFramesAsync(b, streamA, "bob decodes alice before the recording");

        using (var start = await Room.Http.PostJsonAsync("openvidu/api/recordings/start", """{"session":"media-rec","name":"rec"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        }

        // Media keeps flowing for a while (frames decoded on the other page), then the recording stops.
        await WaitForFramesAsync(b, streamA, "bob decodes alice while recording", before.Frames);
        using (var stop = await Room.Http.PostAsync("openvidu/api/recordings/stop/media-rec", null, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        }

        await Room.Controls.WaitForAsync(_ => Room.Controls.RecordingStatus("media-rec") is "ready" or "failed", Wait, Ct);
        Assert.Equal("ready", Room.Controls.RecordingStatus("media-rec"));
        using var file = await Room.Http.GetAsync("openvidu/recordings/media-rec/rec.webm", Ct);
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        var bytes = await file.Content.ReadAsByteArrayAsync(Ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"recorded {bytes.Length} bytes");
        Assert.Equal([0x1A, 0x45, 0xDF, 0xA3], bytes[..4]); // EBML: janus-pp-rec wrote WebM
        Assert.True(bytes.Length > 20_000, $"a few seconds of 640x480 VP8 are more than {bytes.Length} bytes");
    }

    private async Task<(IPage Page, string ConnectionId)> JoinAsync(string sessionId, string name, Action<IPage>? beforeJoin = null)
    {
        var page = await browser.OpenPageAsync();
        pages.Add(page);
        beforeJoin?.Invoke(page);
        await page.EvaluateAsync("() => { window.autoSubscribe = true; }");
        var (connectionId, token) = await Room.Http.CreateConnectionAsync(sessionId, "PUBLISHER", "server-" + name);
        var joined = await page.EvaluateAsync<string>("([token, metadata]) => window.join(token, metadata)", new[] { token, name });
        Assert.Equal(connectionId, joined);
        return (page, connectionId);
    }

    private static async Task<string> PublishAsync(IPage page)
    {
        var published = await page.EvaluateAsync<JsonElement>("() => window.publish()");
        return published.GetProperty("streamId").GetString()!;
    }

    /// <summary>
    /// Waits until the page's subscriber of <paramref name="streamId"/> shows video and has decoded frames, then until
    /// <see cref="MoreFrames"/> more were decoded; writes the counts and the frame rate to the test output.
    /// </summary>
    private static async Task<(int Width, int Frames, int Pc)> WaitForFramesAsync(IPage page, string streamId, string what, int after = 0, int notPc = 0)
    {
        await WaitForDecodedAsync(page, streamId, after + 1, notPc);
        var first = await page.EvaluateAsync<JsonElement>("id => window.media[id]", streamId);
        var firstFrames = first.GetProperty("framesDecoded").GetInt32();
        var pc = first.GetProperty("pc").GetInt32();
        await WaitForDecodedAsync(page, streamId, firstFrames + MoreFrames, notPc);
        var second = await page.EvaluateAsync<JsonElement>("id => window.media[id]", streamId);
        var frames = second.GetProperty("framesDecoded").GetInt32();
        var seconds = (second.GetProperty("at").GetDouble() - first.GetProperty("at").GetDouble()) / 1000;
        var width = second.GetProperty("videoWidth").GetInt32();
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: PC #{pc}, {width}x{second.GetProperty("videoHeight").GetInt32()}, framesDecoded {firstFrames} -> {frames} in {seconds:F1} s ({(frames - firstFrames) / seconds:F1} fps), ICE {second.GetProperty("ice").GetString()}"));
        Assert.True(frames > firstFrames, $"{what}: framesDecoded did not rise ({firstFrames} -> {frames})");
        return (width, frames, pc);
    }

    private static async Task WaitForDecodedAsync(IPage page, string streamId, int frames, int notPc) =>
        await page.WaitForFunctionAsync(
            "([id, frames, notPc]) => window.decodedAtLeast(id, frames, notPc)",
            new object[] { streamId, frames, notPc },
            new PageWaitForFunctionOptions { Timeout = (float)Wait.TotalMilliseconds, PollingInterval = 100 });

    private static async Task WaitForEventAsync(IPage page, string type, string? key = null, string? value = null) =>
        await page.WaitForFunctionAsync(
            "([type, key, value]) => window.has(type, key ?? undefined, value ?? undefined)",
            new[] { type, key, value },
            new PageWaitForFunctionOptions { Timeout = (float)Wait.TotalMilliseconds });
}

/// <summary>The network namespace of tools/in-media-netns.sh, which media tests need.</summary>
internal static class MediaNamespace
{
    public const string Interface = "jn0";

    /// <summary>Fails (never skips) outside the namespace, saying how to run the test.</summary>
    public static void Require()
    {
        // Not /sys/class/net: sysfs shows the namespace that mounted it, not this process's.
        if (!NetworkInterface.GetAllNetworkInterfaces().Any(n => n.Name == Interface))
        {
            Assert.Fail($"Media tests need the network interface {Interface} (127.0.0.2, not a loopback interface, so Janus gathers ICE " +
                "candidates on it). Run them inside the media network namespace: build first, then " +
                "`tools/in-media-netns.sh dotnet test --project tools/OpenViduEmulator.Tests --no-build --filter-class '*MediaTests'`.");
        }
    }
}
