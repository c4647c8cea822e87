using Bunit;
using Microsoft.JSInterop;
using OpenViduServerSide.Features.Calls;
using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Calls;

/// <summary>The call page's behaviour and every error it must show, with the real server side and a scripted browser.</summary>
public sealed class CallPageTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Joining_mints_a_PUBLISHER_token_publishes_and_lists_me()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        h.BrowserJoins(new JoinResult("con_fromBrowser", null, new CameraPublished("str_CAM_Abcd_con_X", null)));
        var page = h.RenderPage();

        await CallHarness.FillAndJoinAsync(page, "TUTORIAL", "Alice");

        page.WaitForAssertion(() => Assert.Equal("TUTORIAL", page.Find("[data-testid=call-title]").TextContent), Wait);
        var join = h.Module.VerifyInvoke("join");
        var connection = Assert.Single(h.ConnectionsAt("TUTORIAL"));
        Assert.Equal(connection.Token, join.Arguments[1]);
        Assert.Equal("{\"clientData\":\"Alice\"}", join.Arguments[2]);
        Assert.Equal(true, join.Arguments[3]);
        Assert.Equal("PUBLISHER", connection.Role);
        Assert.Equal("{\"serverData\":\"publisher1\",\"kind\":\"camera\",\"role\":\"PUBLISHER\",\"nickname\":\"Alice\"}", MintMarker.Strip(connection.ServerData));
        page.WaitForAssertion(() => Assert.Equal("str_CAM_Abcd_con_X", page.Find("[data-testid=video-grid] [data-testid=video-tile]").GetAttribute("data-stream-id")), Wait);
        page.WaitForAssertion(() => Assert.Equal("publisher1", page.Find("[data-testid=participant]").GetAttribute("data-username")), Wait);
    }

    [Fact]
    public async Task The_call_shows_while_the_camera_is_published_and_its_tile_and_controls_come_when_it_is()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        h.Module.Setup<JoinResult>("join", _ => true).SetResult(new JoinResult("con_fromBrowser", null));
        var publishing = h.Module.Setup<CameraPublished?>("cameraPublished", _ => true);
        var page = h.RenderPage();

        await CallHarness.FillAsync(page, "TUTORIAL", "Alice");
        // Not awaited: the join goes on until the camera is published, which the test decides below.
        var joining = page.Find("form").SubmitAsync();

        page.WaitForAssertion(() => Assert.Equal("Starting your camera…", page.Find("[data-testid=camera-starting]").TextContent), Wait);
        Assert.Equal("TUTORIAL", page.Find("[data-testid=call-title]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=toggle-mic]"));
        Assert.Empty(page.FindAll("[data-testid=video-grid] [data-testid=video-tile]"));

        var camera = $"str_CAM_Abcd_{Assert.Single(h.ConnectionsAt("TUTORIAL")).Id}";
        publishing.SetResult(new CameraPublished(camera, null, AudioActive: false, VideoActive: true));
        await joining.WaitAsync(Wait, TestContext.Current.CancellationToken);

        page.WaitForAssertion(() => Assert.Equal(camera, page.Find("[data-testid=video-grid] [data-testid=video-tile]").GetAttribute("data-stream-id")), Wait);
        Assert.Empty(page.FindAll("[data-testid=camera-starting]"));
        Assert.Equal("Unmute microphone", page.Find("[data-testid=toggle-mic]").GetAttribute("aria-label"));
        Assert.Equal(camera, Assert.Single(h.Directory.GetParticipants("TUTORIAL")).StreamId);
    }

    [Fact]
    public async Task A_camera_that_could_not_be_published_after_joining_is_explained_and_the_call_goes_on()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        h.BrowserJoins(new JoinResult("con_fromBrowser", null, new CameraPublished(null, new JsError("DEVICE_ALREADY_IN_USE", "Could not start video source"))));
        var page = h.RenderPage();

        await CallHarness.FillAndJoinAsync(page, "TUTORIAL", "Alice");

        page.WaitForAssertion(() => Assert.Contains("Another program is using your camera or microphone", page.Find("[data-testid=call-notice]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Empty(page.FindAll("[data-testid=camera-starting]"));
        Assert.Empty(page.FindAll("[data-testid=toggle-mic]"));
        Assert.Equal("TUTORIAL", page.Find("[data-testid=call-title]").TextContent);
    }

    [Fact]
    public async Task A_subscriber_joins_without_publishing()
    {
        await using var h = await CallHarness.StartAsync("subscriber");
        h.BrowserJoins(new JoinResult("con_fromBrowser", null));
        var page = h.RenderPage();

        await CallHarness.FillAndJoinAsync(page, "TUTORIAL", "Bob");

        page.WaitForElement("[data-testid=subscriber-placeholder]", Wait);
        Assert.Equal(false, h.Module.VerifyInvoke("join").Arguments[3]);
        Assert.Equal("SUBSCRIBER", Assert.Single(h.ConnectionsAt("TUTORIAL")).Role);
    }

    [Fact]
    public async Task OpenVidu_unreachable_is_explained_and_the_form_stays()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        await h.Emulator.Controls.GoDownAsync(TestContext.Current.CancellationToken);
        var page = h.RenderPage();

        await CallHarness.FillAndJoinAsync(page, "TUTORIAL", "Alice");

        page.WaitForAssertion(() => Assert.Contains("is not answering. Try again in a moment.", page.Find("[data-testid=call-notice]").TextContent, StringComparison.Ordinal), Wait);
        Assert.NotNull(page.Find("[data-testid=join-button]"));
        Assert.Empty(h.Module.Invocations["join"]);
    }

    [Fact]
    public async Task A_blocked_camera_leaves_me_in_the_call_as_a_viewer_with_an_explanation()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        h.BrowserJoins(new JoinResult("con_fromBrowser", null, new CameraPublished(null, new JsError("DEVICE_ACCESS_DENIED", "Permission denied"))));
        var page = h.RenderPage();

        await CallHarness.FillAndJoinAsync(page, "TUTORIAL", "Alice");

        page.WaitForAssertion(() => Assert.Contains("Your browser blocked the camera or microphone", page.Find("[data-testid=call-notice]").TextContent, StringComparison.Ordinal), Wait);
        Assert.NotNull(page.Find("[data-testid=call-title]"));
        Assert.Empty(page.FindAll("[data-testid=toggle-mic]"));
    }

    [Fact]
    public async Task A_rejected_token_is_explained_and_its_connection_released()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        h.BrowserJoins(new JoinResult(null, new JsError("401", "Token tok_X is not valid")));
        var page = h.RenderPage();

        await CallHarness.FillAndJoinAsync(page, "TUTORIAL", "Alice");

        page.WaitForAssertion(() => Assert.Contains("The video server did not let you in (Token tok_X is not valid)", page.Find("[data-testid=call-notice]").TextContent, StringComparison.Ordinal), Wait);
        Assert.NotNull(page.Find("[data-testid=join-button]"));
        Assert.Empty(h.ConnectionsAt("TUTORIAL"));
        Assert.Empty(h.Directory.GetParticipants("TUTORIAL"));
    }

    [Fact]
    public async Task A_token_that_died_with_a_closing_session_is_replaced_once_without_bothering_the_person()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        string? firstToken = null;
        bool IsFirst(JSRuntimeInvocation i) => (string)i.Arguments[1]! == (firstToken ??= (string)i.Arguments[1]!);
        h.Module.Setup<JoinResult>("join", IsFirst).SetResult(new JoinResult(null, new JsError("202", "Session TUTORIAL not found")));
        h.Module.Setup<JoinResult>("join", i => !IsFirst(i)).SetResult(new JoinResult("con_fromBrowser", null));
        h.BrowserPublishes(new CameraPublished(CallHarness.AliceCamera, null));
        var page = h.RenderPage();

        await CallHarness.FillAndJoinAsync(page, "TUTORIAL", "Alice");

        page.WaitForElement("[data-testid=call-title]", Wait);
        Assert.Equal(2, h.Module.Invocations["join"].Count);
        Assert.Empty(page.FindAll("[data-testid=call-notice]"));
        Assert.Single(h.ConnectionsAt("TUTORIAL"));
    }

    [Theory]
    [InlineData("forceDisconnectByUser", "A moderator removed you from the call.")]
    [InlineData("forceDisconnectByServer", "You were removed from the call by a moderator or an administrator.")]
    [InlineData("sessionClosedByServer", "The call was ended for everyone by a moderator or an administrator.")]
    [InlineData("networkDisconnect", "Your connection to the video server was lost for too long.")]
    public async Task Being_disconnected_by_the_server_says_why_and_returns_to_the_form(string reason, string message)
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        var page = await h.AliceInTutorialAsync();

        await page.InvokeAsync(() => h.Call.OnSessionDisconnected(reason));

        page.WaitForAssertion(() => Assert.Contains(message, page.Find("[data-testid=call-notice]").TextContent, StringComparison.Ordinal), Wait);
        Assert.NotNull(page.Find("[data-testid=join-button]"));
        Assert.Equal("TUTORIAL", page.Find("#session-name").GetAttribute("value"));
        Assert.Empty(h.Directory.GetParticipants("TUTORIAL"));
    }

    [Fact]
    public async Task A_call_lost_to_the_network_offers_one_click_rejoin_with_the_same_nickname_and_a_removal_does_not()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        var page = await h.AliceInTutorialAsync();

        await page.InvokeAsync(() => h.Call.OnSessionDisconnected("networkDisconnect"));
        var rejoin = page.WaitForElement("[data-testid=call-notice] [data-testid=rejoin-call]", Wait);
        Assert.Equal("Rejoin the call TUTORIAL as Alice", rejoin.GetAttribute("aria-label"));
        await rejoin.ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal("TUTORIAL", page.Find("[data-testid=call-title]").TextContent), Wait);
        Assert.Equal(2, h.Module.Invocations["join"].Count);
        Assert.Equal("{\"clientData\":\"Alice\"}", h.Module.Invocations["join"][1].Arguments[2]);

        await page.InvokeAsync(() => h.Call.OnSessionDisconnected("forceDisconnectByUser"));
        page.WaitForElement("[data-testid=join-button]", Wait);
        Assert.Empty(page.FindAll("[data-testid=rejoin-call]"));
    }

    [Fact]
    public async Task Speech_heard_on_a_stream_rings_its_tile_and_marks_the_person_in_the_list_until_it_stops()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        var page = await h.AliceInTutorialAsync();

        await page.InvokeAsync(() => h.Call.OnSpeaking(CallHarness.AliceCamera, true));
        await page.InvokeAsync(() => h.Call.OnSpeaking("str_CAM_Gone_con_GONE", true));

        page.WaitForAssertion(() => Assert.Equal("true", page.Find("[data-testid=video-grid] [data-testid=video-tile]").GetAttribute("data-speaking")), Wait);
        Assert.Contains("is-speaking", page.Find("[data-testid=video-grid] [data-testid=video-tile]").ClassName, StringComparison.Ordinal);
        Assert.Equal("Alice, speaking, shown as main video", page.Find("[data-testid=video-grid] [data-testid=video-tile]").GetAttribute("aria-label"));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=participant-speaking]")), Wait);

        await page.InvokeAsync(() => h.Call.OnSpeaking(CallHarness.AliceCamera, false));
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=participant-speaking]")), Wait);
        Assert.Equal("false", page.Find("[data-testid=video-grid] [data-testid=video-tile]").GetAttribute("data-speaking"));
    }

    [Fact]
    public async Task Reconnecting_and_reconnected_are_shown()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        var page = await h.AliceInTutorialAsync();

        await page.InvokeAsync(() => h.Call.OnReconnecting());
        var reconnecting = page.Find("[data-testid=call-notice]").TextContent;
        await page.InvokeAsync(() => h.Call.OnReconnected());

        Assert.Contains("Reconnecting…", reconnecting, StringComparison.Ordinal);
        Assert.Contains("Reconnected to the video server.", page.Find("[data-testid=call-notice]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remote_people_appear_and_vanish_with_their_streams()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        var page = await h.AliceInTutorialAsync();
        const string bobData = "{\"clientData\":\"Bob\"}%/%{\"serverData\":\"publisher2\",\"kind\":\"camera\"}";

        await page.InvokeAsync(() => h.Call.OnConnectionCreated("con_B", bobData));
        await page.InvokeAsync(() => h.Call.OnStreamCreated(new StreamInfo("str_CAM_Bbbb_con_B", "con_B", bobData, "CAMERA", true, true)));
        var whileThere = page.FindAll("[data-testid=video-grid] [data-testid=tile-username]").Select(e => e.TextContent).ToArray();
        await page.InvokeAsync(() => h.Call.OnStreamPropertyChanged("str_CAM_Bbbb_con_B", "audioActive", false));
        var mutedShown = page.Find("[data-stream-id=str_CAM_Bbbb_con_B]").InnerHtml.Contains("Microphone off", StringComparison.Ordinal);
        await page.InvokeAsync(() => h.Call.OnConnectionDestroyed("con_B", "disconnect"));

        // Bob is the main video (someone else rather than oneself), so his tile comes first.
        Assert.Equal(["publisher2", "publisher1 (you)"], whileThere);
        Assert.True(mutedShown);
        Assert.Single(page.FindAll("[data-testid=video-grid] [data-testid=video-tile]"));
    }

    [Fact]
    public async Task A_remote_video_that_never_starts_says_so_on_its_tile_until_it_plays()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        var page = await h.AliceInTutorialAsync();
        const string bobData = "{\"clientData\":\"Bob\"}%/%{\"serverData\":\"publisher2\",\"kind\":\"camera\"}";
        await page.InvokeAsync(() => h.Call.OnStreamCreated(new StreamInfo("str_CAM_Bbbb_con_B", "con_B", bobData, "CAMERA", true, true)));
        var bob = () => page.Find("[data-stream-id=str_CAM_Bbbb_con_B]");
        Assert.NotNull(bob().QuerySelector("[data-testid=tile-connecting]"));

        await page.InvokeAsync(() => h.Call.OnException("NO_STREAM_PLAYING_EVENT", "not playing after 4 s", "str_CAM_Bbbb_con_B"));
        Assert.Contains("does not start", bob().QuerySelector("[data-testid=tile-stalled]")?.TextContent, StringComparison.Ordinal);
        Assert.Null(bob().QuerySelector("[data-testid=tile-connecting]"));

        await page.InvokeAsync(() => h.Call.OnStreamPlaying("str_CAM_Bbbb_con_B"));
        Assert.Null(bob().QuerySelector("[data-testid=tile-stalled]"));
        Assert.Null(bob().QuerySelector("[data-testid=tile-connecting]"));
    }

    [Fact]
    public async Task Ones_own_screen_share_is_local_and_plays_even_before_the_share_call_returns()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        var page = await h.AliceInTutorialAsync();
        const string screenData = "{\"clientData\":\"Alice\"}%/%{\"serverData\":\"publisher1\",\"kind\":\"screen\"}";

        // The camera connection sees the screen stream before shareScreen has told the server its connection id.
        await page.InvokeAsync(() => h.Call.OnStreamCreated(new StreamInfo("str_SCR_Ssss_con_S", "con_S", screenData, "SCREEN", false, true, IsLocal: true)));

        var tile = page.Find("[data-testid=video-tile][data-kind=screen]");
        Assert.Equal("publisher1 (you)", tile.QuerySelector("[data-testid=tile-username]")?.TextContent);
        Assert.Null(tile.QuerySelector("[data-testid=tile-connecting]"));
    }

    [Fact]
    public async Task Leaving_disconnects_the_browser_and_frees_the_connection()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        var page = await h.AliceInTutorialAsync();

        await page.Find("[data-testid=leave]").ClickAsync();

        page.WaitForElement("[data-testid=join-button]", Wait);
        h.Module.VerifyInvoke("leave");
        Assert.Empty(h.ConnectionsAt("TUTORIAL"));
        Assert.Empty(h.Directory.GetParticipants("TUTORIAL"));
    }

    [Fact]
    public async Task Losing_the_circuit_releases_my_connections_on_the_server()
    {
        var h = await CallHarness.StartAsync("publisher1");
        try
        {
            var page = await h.AliceInTutorialAsync();
            Assert.Single(h.ConnectionsAt("TUTORIAL"));

            // Disposing the bUnit context disposes its scoped services, as a closed circuit does.
            await h.Bunit.DisposeAsync();

            // The screen connection's mint may still be on its way back when the circuit goes: it is released when it lands.
            await h.WaitForConnectionsAsync("TUTORIAL", c => c.Count == 0);
            await h.Directory.UntilAsync(d => d.GetParticipants("TUTORIAL").Count == 0, TimeSpan.FromSeconds(10));
        }
        finally
        {
            await h.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_moderator_signal_before_an_eviction_explains_it_but_one_from_a_browser_is_ignored()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        var page = await h.AliceInTutorialAsync();

        // A prankster's browser-sent signal of the same type carries its sender and must not be believed.
        await page.InvokeAsync(() => h.Call.OnSignal("signal:removed", "{\"by\":\"the boss\",\"text\":\"fake\"}", "con_Prankster"));
        await page.InvokeAsync(() => h.Call.OnSignal("signal:removed", "{\"by\":\"a moderator (moderator)\",\"text\":\"Off topic\"}", null));
        await page.InvokeAsync(() => h.Call.OnSessionDisconnected("forceDisconnectByServer"));

        page.WaitForAssertion(() => Assert.Equal(
            "You were removed from the call by a moderator (moderator). Reason: Off topic",
            page.Find("[data-testid=call-notice]").TextContent.Trim()), Wait);
    }

    [Fact]
    public async Task Messages_and_a_stopped_camera_are_shown_in_the_call()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        var page = await h.AliceInTutorialAsync();

        await page.InvokeAsync(() => h.Call.OnSignal("signal:announcement", "{\"by\":\"an administrator (admin)\",\"text\":\"Break in 5\"}", null));
        var announcement = page.Find("[data-testid=call-notice]").TextContent.Trim();
        await page.InvokeAsync(() => h.Call.OnSignal("signal:streamStopped", "{\"by\":\"a moderator (moderator)\"}", null));
        await page.InvokeAsync(() => h.Call.OnLocalStreamStopped("str_CAM_Abcd_con_X", "forceUnpublishByServer"));

        Assert.Equal("Message from an administrator (admin): Break in 5", announcement);
        Assert.Equal("Your camera was stopped by a moderator (moderator). You can still watch and listen.", page.Find("[data-testid=call-notice]").TextContent.Trim());
        Assert.Empty(page.FindAll("[data-testid=toggle-mic]"));
        Assert.Empty(page.FindAll("[data-testid=video-grid] [data-testid=video-tile]"));
        Assert.NotNull(page.Find("[data-testid=call-title]"));
    }

    [Fact]
    public async Task A_cancelled_screen_share_is_explained_and_its_connection_released()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        h.Module.Setup<ScreenShareResult>("shareScreen", _ => true).SetResult(new ScreenShareResult(null, null, new JsError("SCREEN_CAPTURE_DENIED", "Permission denied by user")));
        var page = await h.AliceInTutorialAsync();

        await page.Find("[data-testid=toggle-screen]").ClickAsync();

        page.WaitForAssertion(() => Assert.Contains("Screen sharing was cancelled or is not allowed in this browser.", page.Find("[data-testid=call-notice]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Equal("Share screen", page.Find("[data-testid=toggle-screen]").TextContent.Trim());
        Assert.Single(h.ConnectionsAt("TUTORIAL"));
        Assert.DoesNotContain(h.Directory.GetParticipants("TUTORIAL"), p => p.Kind == ConnectionKind.Screen);
    }

    [Fact]
    public async Task A_shared_screen_is_a_second_connection_marked_as_a_screen_and_stopping_frees_it()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        h.Module.Setup<ScreenShareResult>("shareScreen", _ => true).SetResult(new ScreenShareResult("con_screen", "str_SCR_Efgh_con_screen", null));
        var page = await h.AliceInTutorialAsync();

        await page.Find("[data-testid=toggle-screen]").ClickAsync();
        page.WaitForAssertion(() => Assert.Equal("Stop sharing", page.Find("[data-testid=toggle-screen]").TextContent.Trim()), Wait);
        var whileSharing = h.ConnectionsAt("TUTORIAL").Select(c => MintMarker.Strip(c.ServerData)).Order(StringComparer.Ordinal).ToArray();
        await page.Find("[data-testid=toggle-screen]").ClickAsync();

        Assert.Equal(
            ["{\"serverData\":\"publisher1\",\"kind\":\"camera\",\"role\":\"PUBLISHER\",\"nickname\":\"Alice\"}", "{\"serverData\":\"publisher1\",\"kind\":\"screen\",\"role\":\"PUBLISHER\",\"nickname\":\"Alice\"}"],
            whileSharing);
        Assert.Equal("{\"clientData\":\"Alice\"}", h.Module.VerifyInvoke("shareScreen").Arguments[1]);
        h.Module.VerifyInvoke("stopScreen");
        await h.WaitForConnectionsAsync("TUTORIAL", c => c.Count == 1);
        Assert.Equal("Share screen", page.Find("[data-testid=toggle-screen]").TextContent.Trim());
    }

    [Fact]
    public async Task A_remote_video_says_it_is_connecting_until_its_media_plays()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        var page = await h.AliceInTutorialAsync();
        const string bobData = "{\"clientData\":\"Bob\"}%/%{\"serverData\":\"publisher2\",\"kind\":\"camera\"}";

        await page.InvokeAsync(() => h.Call.OnStreamCreated(new StreamInfo("str_CAM_Bbbb_con_B", "con_B", bobData, "CAMERA", true, true)));
        var connecting = page.FindAll("[data-testid=video-grid] [data-testid=tile-connecting]").Count;
        await page.InvokeAsync(() => h.Call.OnStreamPlaying("str_CAM_Bbbb_con_B"));

        Assert.Equal(1, connecting);
        Assert.Empty(page.FindAll("[data-testid=video-grid] [data-testid=tile-connecting]"));
    }

    // ---------- A slow or failing browser never costs the circuit (M3, L6, L8) ----------

    [Fact]
    public async Task JoinAndShareScreenAreInvokedWithATokenSoTheDefaultTimeoutNeverApplies()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        h.Module.Setup<ScreenShareResult>("shareScreen", _ => true).SetResult(new ScreenShareResult("con_screen", "str_SCR_Efgh_con_screen", null));
        var page = await h.AliceInTutorialAsync();

        await page.Find("[data-testid=toggle-screen]").ClickAsync();

        // bUnit records a null token for the overload without one, which Blazor Server bounds by its 1-minute
        // JSInteropDefaultCallTimeout: the camera prompt and the screen picker wait for a person.
        Assert.NotNull(h.Module.VerifyInvoke("join").CancellationToken);
        Assert.NotNull(h.Module.VerifyInvoke("shareScreen").CancellationToken);
    }

    [Theory]
    [InlineData("canceled")]
    [InlineData("disconnected")]
    [InlineData("script")]
    public async Task AJoinTheBrowserGaveUpOnIsExplainedAndItsConnectionReleased(string failure)
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        var join = h.Module.Setup<JoinResult>("join", _ => true);
        Fail(join, failure);
        var page = h.RenderPage();

        await CallHarness.FillAndJoinAsync(page, "TUTORIAL", "Alice");

        page.WaitForAssertion(() => Assert.Contains("Your browser could not start the call.", page.Find("[data-testid=call-notice]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Empty(h.ConnectionsAt("TUTORIAL"));
        Assert.Empty(h.Directory.GetParticipants("TUTORIAL"));
        // The page still works: joining again succeeds.
        h.BrowserJoins(new JoinResult("con_fromBrowser", null, new CameraPublished(CallHarness.AliceCamera, null)));
        await page.Find("form").SubmitAsync();
        page.WaitForElement("[data-testid=call-title]", Wait);
    }

    [Theory]
    [InlineData("canceled")]
    [InlineData("disconnected")]
    [InlineData("script")]
    public async Task AScreenShareTheBrowserGaveUpOnIsExplainedAndItsConnectionReleased(string failure)
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        var page = await h.AliceInTutorialAsync();
        Fail(h.Module.Setup<ScreenShareResult>("shareScreen", _ => true), failure);

        await page.Find("[data-testid=toggle-screen]").ClickAsync();

        page.WaitForAssertion(() => Assert.Contains("Your screen share did not start.", page.Find("[data-testid=call-notice]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Equal("Share screen", page.Find("[data-testid=toggle-screen]").TextContent.Trim());
        Assert.Single(h.ConnectionsAt("TUTORIAL"));
        Assert.DoesNotContain(h.Directory.GetParticipants("TUTORIAL"), p => p.Kind == ConnectionKind.Screen);
        // Still alive: the next click reaches the browser again.
        await page.Find("[data-testid=toggle-mic]").ClickAsync();
        Assert.Single(h.Module.Invocations["setMicrophone"]);
    }

    [Fact]
    public async Task LeavingWhileAScreenShareStartsReleasesTheScreenConnectionAndTheNextCallStartsClean()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        var picker = h.Module.Setup<ScreenShareResult>("shareScreen", _ => true);
        var page = await h.AliceInTutorialAsync();

        var sharing = page.Find("[data-testid=toggle-screen]").ClickAsync();
        page.WaitForAssertion(() => Assert.Equal("Starting…", page.Find("[data-testid=toggle-screen]").TextContent.Trim()), Wait);
        await page.Find("[data-testid=leave]").ClickAsync();
        // The person picks a window only now, after leaving.
        picker.SetResult(new ScreenShareResult("con_screen", "str_SCR_Efgh_con_screen", null));
        await sharing.WaitAsync(Wait, TestContext.Current.CancellationToken);

        page.WaitForElement("[data-testid=join-button]", Wait);
        Assert.Empty(h.ConnectionsAt("TUTORIAL"));
        Assert.Empty(h.Directory.GetParticipants("TUTORIAL"));
        await page.Find("form").SubmitAsync();
        page.WaitForElement("[data-testid=call-title]", Wait);
        Assert.False(h.Call.View.SharingScreen);
        Assert.Equal("Share screen", page.Find("[data-testid=toggle-screen]").TextContent.Trim());
        Assert.Single(h.ConnectionsAt("TUTORIAL"));
    }

    [Fact]
    public async Task LosingTheCircuitWhileTheScreenPickerIsOpenReleasesTheScreenConnection()
    {
        var h = await CallHarness.StartAsync("publisher1");
        try
        {
            h.Module.Setup<ScreenShareResult>("shareScreen", _ => true);
            var page = await h.AliceInTutorialAsync();
            _ = page.Find("[data-testid=toggle-screen]").ClickAsync();
            await h.WaitForConnectionsAsync("TUTORIAL", c => c.Count == 2);

            // Disposing the bUnit context disposes its scoped services, as a closed circuit does.
            await h.Bunit.DisposeAsync();

            // The screen connection's mint may still be on its way back when the circuit goes: it is released when it lands.
            await h.WaitForConnectionsAsync("TUTORIAL", c => c.Count == 0);
            await h.Directory.UntilAsync(d => d.GetParticipants("TUTORIAL").Count == 0, TimeSpan.FromSeconds(10));
        }
        finally
        {
            await h.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("setMicrophone", "toggle-mic", "microphone")]
    [InlineData("setCamera", "toggle-camera", "camera")]
    public async Task AMuteTheBrowserCannotDoIsExplainedAndChangesNothing(string method, string button, string device)
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        var page = await h.AliceInTutorialAsync();
        h.Module.SetupVoid(method, _ => true).SetException(new JSException("publisher gone"));

        await page.Find($"[data-testid={button}]").ClickAsync();

        page.WaitForAssertion(() => Assert.Contains($"Your browser did not switch the {device}.", page.Find("[data-testid=call-notice]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Equal("false", page.Find($"[data-testid={button}]").GetAttribute("aria-pressed"));
        Assert.True(h.Call.View.MicrophoneOn && h.Call.View.CameraOn);
    }

    [Fact]
    public async Task StoppingAShareOrLeavingWithABrowserThatFailsStillFreesTheConnections()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        h.Module.Setup<ScreenShareResult>("shareScreen", _ => true).SetResult(new ScreenShareResult("con_screen", "str_SCR_Efgh_con_screen", null));
        var page = await h.AliceInTutorialAsync();
        await page.Find("[data-testid=toggle-screen]").ClickAsync();
        await h.WaitForConnectionsAsync("TUTORIAL", c => c.Count == 2);
        h.Module.SetupVoid("stopScreen", _ => true).SetException(new JSDisconnectedException("gone"));
        h.Module.SetupVoid("leave", _ => true).SetCanceled();

        await page.Find("[data-testid=toggle-screen]").ClickAsync();
        await h.WaitForConnectionsAsync("TUTORIAL", c => c.Count == 1);
        await page.Find("[data-testid=leave]").ClickAsync();

        page.WaitForElement("[data-testid=join-button]", Wait);
        Assert.Empty(h.ConnectionsAt("TUTORIAL"));
        Assert.Empty(h.Directory.GetParticipants("TUTORIAL"));
    }

    [Fact]
    public async Task AnUnexpectedErrorShowsSomethingWentWrongAndRejoinReturnsToTheForm()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        var page = await h.AliceInTutorialAsync();
        h.Module.SetupVoid("setCamera", _ => true).SetException(new InvalidOperationException("a bug"));

        await page.Find("[data-testid=toggle-camera]").ClickAsync();

        var alert = page.WaitForElement("[data-testid=call-crashed]", Wait);
        Assert.Equal("alert", alert.GetAttribute("role"));
        Assert.Contains("Something went wrong", alert.TextContent, StringComparison.Ordinal);
        var rejoin = page.Find("[data-testid=rejoin]");
        Assert.Equal("BUTTON", rejoin.TagName);
        await rejoin.ClickAsync();
        page.WaitForElement("[data-testid=join-button]", Wait);
        Assert.Empty(page.FindAll("[data-testid=call-crashed]"));
        Assert.Empty(h.ConnectionsAt("TUTORIAL"));
        Assert.Empty(h.Directory.GetParticipants("TUTORIAL"));
        Assert.Equal("TUTORIAL", page.Find("#session-name").GetAttribute("value"));
    }

    private static void Fail<T>(JSRuntimeInvocationHandler<T> handler, string failure)
    {
        switch (failure)
        {
            case "canceled":
                handler.SetCanceled();
                break;
            case "disconnected":
                handler.SetException(new JSDisconnectedException("The circuit's JS side is gone."));
                break;
            default:
                handler.SetException(new JSException("initPublisherAsync failed"));
                break;
        }
    }}
