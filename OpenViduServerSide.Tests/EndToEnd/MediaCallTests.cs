using Microsoft.Playwright;
using OpenViduEmulator;
using OpenViduServerSide.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OpenViduServerSide.Tests.EndToEnd;

/// <summary>
/// Real video between real Chromium pages: the emulator routes WebRTC through Janus (run inside the network namespace
/// test.sh makes, tools/in-media-netns.sh). Every remote tile must decode frames, measured in the page.
/// At most three pages at once: what two cores carry.
/// </summary>
[Collection(RealMediaTests.Name)]
public sealed class MediaCallTests(BrowserFixture browsers) : IAsyncLifetime
{
    private static readonly EmulatorOptions Janus = new() { MediaPlane = MediaPlane.Janus };
    private readonly List<IBrowserContext> contexts = [];
    private EmulatedApp? app;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var context in contexts)
        {
            await context.DisposeAsync();
        }

        if (app is not null)
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>The app and its Janus-backed emulator, started by the first join unless the test started it first.</summary>
    private async Task<EmulatedApp> StartAppAsync(EmulatorOptions options) => app ??= await EmulatedApp.StartAsync(new EmulatedAppOptions { Kestrel = true, Emulator = options });

    private async Task<AppPage> JoinAsync(string userName, string nickname, string call = "Media")
    {
        var context = await browsers.NewContextAsync((await StartAppAsync(Janus)).BaseUrl);
        contexts.Add(context);
        var page = new AppPage(await context.NewPageAsync());
        await page.SignInAsync(userName);
        await page.JoinAsync(call, nickname);
        return page;
    }

    [Fact]
    public async Task Two_publishers_and_a_subscriber_decode_each_others_video_and_a_clicked_tile_plays_as_main()
    {
        var alice = await JoinAsync("publisher1", "Alice");
        var carol = await JoinAsync("publisher2", "Carol");
        var bob = await JoinAsync("subscriber", "Bob");

        var frames = new[]
        {
            await alice.ExpectFramesAsync(alice.Tile("Carol")),
            await carol.ExpectFramesAsync(carol.Tile("Alice")),
            await bob.ExpectFramesAsync(bob.Tile("Alice")),
            await bob.ExpectFramesAsync(bob.Tile("Carol")),
        };
        // Figures for the notes, beside the screenshots (not an assertion: speed belongs in the bench).
        await File.AppendAllTextAsync(Path.Combine(Path.GetDirectoryName(BrowserFixture.ScreenshotPath("x"))!, "media-frames.txt"),
            $"{DateTimeOffset.UtcNow:O} frames presented on remote tiles when 10 more had arrived: {string.Join(", ", frames)}{Environment.NewLine}", TestContext.Current.CancellationToken);

        // The subscriber publishes nothing: no tile of Bob's anywhere, the placeholder on his own page.
        await Expect(bob.Page.GetByTestId("subscriber-placeholder")).ToBeVisibleAsync();
        await Expect(alice.Tile("Bob")).ToHaveCountAsync(0);
        await Expect(bob.Tile("Bob")).ToHaveCountAsync(0);
        // A tile whose media plays never says it is connecting.
        await Expect(bob.Page.GetByTestId("tile-connecting")).ToHaveCountAsync(0);
        await Expect(bob.Page.GetByTestId("tile-stalled")).ToHaveCountAsync(0);

        await bob.Tile("Carol").ClickAsync();
        await Expect(bob.MainVideo.GetByTestId("tile-nickname")).ToHaveTextAsync("Carol");
        await bob.ExpectFramesAsync(bob.MainVideo);
        await bob.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("media-subscriber-sees-two-publishers") });
    }

    [Fact]
    public async Task A_shared_screen_decodes_on_the_other_page_and_stopping_it_either_way_removes_it()
    {
        var alice = await JoinAsync("publisher1", "Alice");
        var bob = await JoinAsync("subscriber", "Bob");
        await bob.ExpectFramesAsync(bob.Tile("Alice"));

        await alice.Page.GetByTestId("toggle-screen").ClickAsync();
        await bob.ExpectFramesAsync(bob.ScreenTiles);
        // Alice's own screen tile plays and says it is hers.
        await Expect(alice.ScreenTiles.GetByTestId("tile-username")).ToHaveTextAsync("publisher1 (you)");
        await alice.ExpectFramesAsync(alice.ScreenTiles);
        await bob.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("media-subscriber-sees-screen") });

        // The app's button.
        await alice.Page.GetByTestId("toggle-screen").ClickAsync();
        await Expect(bob.ScreenTiles).ToHaveCountAsync(0);
        await Expect(alice.ScreenTiles).ToHaveCountAsync(0);

        // Sharing again works, and the browser's own "Stop sharing" (the capture track ends) removes it everywhere.
        await alice.Page.GetByTestId("toggle-screen").ClickAsync();
        await bob.ExpectFramesAsync(bob.ScreenTiles);
        await alice.Page.EvaluateAsync("() => document.querySelector('[data-testid=video-tile][data-kind=screen] video').srcObject.getVideoTracks()[0].dispatchEvent(new Event('ended'))");
        await Expect(bob.ScreenTiles).ToHaveCountAsync(0);
        await Expect(alice.Page.GetByTestId("toggle-screen")).ToHaveTextAsync("Share screen");
    }

    [Fact]
    public async Task A_camera_turned_off_shows_the_placeholder_elsewhere_and_turned_on_again_plays()
    {
        var alice = await JoinAsync("publisher1", "Alice");
        var bob = await JoinAsync("subscriber", "Bob");
        await bob.ExpectFramesAsync(bob.Tile("Alice"));

        await alice.Page.GetByTestId("toggle-camera").ClickAsync();
        await Expect(bob.Tile("Alice").Locator(".camera-off")).ToHaveCountAsync(1);

        await alice.Page.GetByTestId("toggle-camera").ClickAsync();
        await Expect(bob.Tile("Alice").Locator(".camera-off")).ToHaveCountAsync(0);
        await bob.ExpectFramesAsync(bob.Tile("Alice"));
    }

    [Fact]
    public async Task A_moderators_stop_camera_stops_the_video_on_every_page()
    {
        var moderator = await JoinAsync("moderator", "Teacher");
        var alice = await JoinAsync("publisher1", "Alice");
        var bob = await JoinAsync("subscriber", "Bob");
        await bob.ExpectFramesAsync(bob.Tile("Alice"));
        await moderator.ExpectFramesAsync(moderator.Tile("Alice"));

        await moderator.Participants.Filter(new() { HasText = "publisher1" }).GetByTestId("stop-stream").ClickAsync();

        await Expect(bob.Tile("Alice")).ToHaveCountAsync(0);
        await Expect(moderator.Tile("Alice")).ToHaveCountAsync(0);
        await Expect(alice.Page.GetByTestId("call-notice")).ToContainTextAsync("camera");
        // Alice stays in the call and still sees the teacher.
        await alice.ExpectFramesAsync(alice.Tile("Teacher"));
    }

    [Fact]
    public async Task Media_lost_for_a_while_is_reported_and_the_video_plays_again_without_a_reload()
    {
        var alice = await JoinAsync("publisher1", "Alice");
        var bob = await JoinAsync("subscriber", "Bob");
        await bob.ExpectFramesAsync(bob.Tile("Alice"));

        // Every UDP packet in the test's private namespace is dropped: WebRTC media stops, the app's and OpenVidu's
        // TCP connections stay. The outage lasts until Bob's page says so.
        await NftAsync("add table inet outage\nadd chain inet outage input { type filter hook input priority 0; }\nadd rule inet outage input meta l4proto udp drop\n");
        try
        {
            await Expect(bob.Page.GetByTestId("call-notice")).ToContainTextAsync("network trouble", new() { Timeout = 40_000 });
        }
        finally
        {
            await NftAsync("delete table inet outage\n");
        }

        await bob.ExpectFramesAsync(bob.Tile("Alice"));
    }

    [Fact]
    public async Task A_dropped_video_server_connection_shows_reconnecting_then_reconnected_and_the_video_goes_on()
    {
        // OpenVidu keeps a participant whose socket closed for a while, so that its browser can come back (connect).
        var live = await StartAppAsync(Janus with { ReconnectionGrace = TimeSpan.FromMinutes(1), PingTimeout = TimeSpan.FromMinutes(1) });
        var alice = await JoinAsync("publisher1", "Alice");
        var bob = await JoinAsync("publisher2", "Bob");
        await bob.ExpectFramesAsync(bob.Tile("Alice"));

        // Bob's signaling socket goes silent (his pings get no pong) and no new socket can reach the video server.
        await CutSignalingAsync(live, "Bob");
        try
        {
            await Expect(bob.Page.GetByTestId("call-notice")).ToContainTextAsync("Reconnecting", new() { Timeout = 40_000 });
        }
        finally
        {
            await NftAsync("delete table inet outage\n");
        }

        await Expect(bob.Page.GetByTestId("call-notice")).ToContainTextAsync("Reconnected", new() { Timeout = 40_000 });
        await bob.ExpectFramesAsync(bob.Tile("Alice"));
        await alice.ExpectFramesAsync(alice.Tile("Bob"));
        await Expect(alice.Participants).ToHaveCountAsync(2);
    }

    [Fact]
    public async Task A_video_server_connection_lost_for_too_long_ends_with_a_message_and_rejoin_brings_the_video_back()
    {
        // The server gives up on a socket silent for 10 s (OpenVidu's watchdog: 3 ping intervals) and evicts its participant.
        var live = await StartAppAsync(Janus with { PingTimeout = TimeSpan.FromSeconds(10) });
        var alice = await JoinAsync("publisher1", "Alice");
        var bob = await JoinAsync("publisher2", "Bob");
        await bob.ExpectFramesAsync(bob.Tile("Alice"));

        await CutSignalingAsync(live, "Bob");
        try
        {
            // The outage lasts until the server has evicted Bob: Alice sees him leave.
            await Expect(alice.Tile("Bob")).ToHaveCountAsync(0, new() { Timeout = 60_000 });
        }
        finally
        {
            await NftAsync("delete table inet outage\n");
        }

        var notice = bob.Page.GetByTestId("call-notice");
        await Expect(notice).ToContainTextAsync("lost for too long", new() { Timeout = 40_000 });
        await bob.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("media-call-lost-rejoin") });
        await notice.GetByTestId("rejoin-call").ClickAsync();

        await Expect(bob.Page.GetByTestId("call-title")).ToHaveTextAsync("Media");
        await bob.ExpectFramesAsync(bob.Tile("Alice"));
        await alice.ExpectFramesAsync(alice.Tile("Bob"));
    }

    /// <summary>
    /// Blackholes one page's OpenVidu WebSocket (by its port) and every new connection to the emulator (its SYN: conntrack
    /// would call an established socket it had not seen before "new" too, and cut the others); established
    /// sockets of everyone else, the app's circuits and the media (UDP) go on.
    /// </summary>
    private static async Task CutSignalingAsync(EmulatedApp live, string nickname)
    {
        var connectionId = live.Emulator.Controls.Snapshot().Sessions.SelectMany(s => s.Connections)
            .Single(c => c.SocketOpen && c.ClientData?.Contains($"\"{nickname}\"", StringComparison.Ordinal) == true && c.Streams.Any(st => st.TypeOfVideo == "CAMERA")).Id;
        var socketPort = live.Emulator.Controls.SocketPort(connectionId) ?? throw new InvalidOperationException($"{nickname} has no socket");
        var emulatorPort = new Uri(live.Emulator.BaseUrl).Port;
        await NftAsync($$"""
            add table inet outage
            add chain inet outage input { type filter hook input priority 0; }
            add rule inet outage input tcp sport {{socketPort}} drop
            add rule inet outage input tcp dport {{socketPort}} drop
            add rule inet outage input tcp dport {{emulatorPort}} tcp flags & (syn | ack) == syn drop

            """);
    }

    /// <summary>Runs an nftables script in this process's network namespace (the private one test.sh makes).</summary>
    private static async Task NftAsync(string script)
    {
        using var nft = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("nft", "-f -")
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
        })!;
        await nft.StandardInput.WriteAsync(script);
        nft.StandardInput.Close();
        var error = await nft.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await nft.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(nft.ExitCode == 0, $"nft failed: {error}");
    }
}

/// <summary>
/// Tests with real media run one at a time: three Chromium pages is what two cores carry, and one of them cuts the
/// namespace's UDP for a while.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RealMediaTests
{
    public const string Name = "Real media";
}
