using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using OpenViduServerSide.Features.Admin;
using OpenViduServerSide.Features.Calls;
using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Features.Moderation;

namespace OpenViduServerSide.Tests.Features.Calls;

/// <summary>
/// The call page switching roles without leaving the call (promote to speak, an administrator's role change), with the
/// real server side and a scripted browser: a new connection is minted, the browser switches to it, the old one is released.
/// </summary>
public sealed class RoleSwitchPageTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly ClaimsPrincipal Admin = new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin"), new Claim(ClaimTypes.Role, "Admin")], "test"));

    private static async Task<IRenderedComponent<CallPage>> BobWatchesAsync(CallHarness h)
    {
        h.BrowserJoins(new JoinResult("con_fromBrowser", null));
        var page = h.RenderPage();
        await CallHarness.FillAndJoinAsync(page, "TUTORIAL", "Bob");
        page.WaitForElement("[data-testid=subscriber-placeholder]", Wait);
        return page;
    }

    private static void BrowserSwitches(CallHarness h)
    {
        h.Module.Setup<JoinResult>("switchCamera", i => (bool)i.Arguments[2]!).SetResult(new JoinResult("con_new", null, new CameraPublished("str_CAM_Bobb_con_NEW", null)));
        h.Module.Setup<JoinResult>("switchCamera", i => !(bool)i.Arguments[2]!).SetResult(new JoinResult("con_new", null));
    }

    [Fact]
    public async Task A_subscriber_let_speak_switches_to_PUBLISHER_in_the_same_call_and_back_when_it_is_taken_back()
    {
        await using var h = await CallHarness.StartAsync("subscriber");
        var page = await BobWatchesAsync(h);
        var watching = h.Call.View.ConnectionId!;
        BrowserSwitches(h);
        var moderation = h.App.Get<CallModeration>();

        Assert.True((await moderation.LetSpeakAsync(Admin, "TUTORIAL", watching, TestContext.Current.CancellationToken)).Succeeded);

        page.WaitForAssertion(() => Assert.Equal("PUBLISHER", page.Find("[data-testid=my-role]").TextContent.Trim()), Wait);
        Assert.Contains("An administrator (admin) let you speak", page.Find("[data-testid=call-notice]").TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.Find("[data-testid=toggle-mic]"));
        Assert.Empty(page.FindAll("[data-testid=subscriber-placeholder]"));
        Assert.Equal("str_CAM_Bobb_con_NEW", page.Find("[data-testid=video-grid] [data-testid=video-tile]").GetAttribute("data-stream-id"));
        // No reload: the page joined once and switched once, with the token of the new PUBLISHER connection.
        Assert.Single(h.Module.Invocations["join"]);
        var switched = Assert.Single(h.Module.Invocations["switchCamera"]);
        // The old connection is released once the page shows the switch.
        await h.WaitForConnectionsAsync("TUTORIAL", c => c.Count == 1);
        var speaking = Assert.Single(h.ConnectionsAt("TUTORIAL"));
        Assert.Equal((speaking.Token, true), ((string)switched.Arguments[0]!, (bool)switched.Arguments[2]!));
        Assert.Equal("PUBLISHER", speaking.Role);
        Assert.NotEqual(watching, speaking.Id);
        Assert.Equal(speaking.Id, h.Call.View.ConnectionId);

        Assert.True((await moderation.TakeBackSpeakAsync(Admin, "TUTORIAL", speaking.Id, TestContext.Current.CancellationToken)).Succeeded);

        page.WaitForAssertion(() => Assert.Equal("SUBSCRIBER", page.Find("[data-testid=my-role]").TextContent.Trim()), Wait);
        Assert.Contains("An administrator (admin) took back your turn to speak.", page.Find("[data-testid=call-notice]").TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.Find("[data-testid=subscriber-placeholder]"));
        Assert.Empty(page.FindAll("[data-testid=toggle-mic]"));
        Assert.Empty(page.FindAll("[data-testid=video-tile]"));
        await h.WaitForConnectionsAsync("TUTORIAL", c => c is [{ Role: "SUBSCRIBER" }]);
        Assert.Single(h.Module.Invocations["join"]);
    }

    [Fact]
    public async Task A_switch_the_browser_refuses_leaves_the_person_in_the_call_as_before_with_a_message()
    {
        await using var h = await CallHarness.StartAsync("subscriber");
        var page = await BobWatchesAsync(h);
        var watching = h.Call.View.ConnectionId!;
        h.Module.Setup<JoinResult>("switchCamera", _ => true).SetResult(new JoinResult(null, new JsError("401", "Token not valid")));

        Assert.True((await h.App.Get<CallModeration>().LetSpeakAsync(Admin, "TUTORIAL", watching, TestContext.Current.CancellationToken)).Succeeded);

        page.WaitForAssertion(() => Assert.Contains("Your role in this call could not be switched (Token not valid). You are still in the call as before.",
            page.Find("[data-testid=call-notice]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Equal("SUBSCRIBER", page.Find("[data-testid=my-role]").TextContent.Trim());
        Assert.NotNull(page.Find("[data-testid=subscriber-placeholder]"));
        // The new connection was released; the one the browser still uses is kept.
        await h.WaitForConnectionsAsync("TUTORIAL", c => c.Count == 1 && c[0].Id == watching);
        Assert.Equal(watching, h.Call.View.ConnectionId);
    }

    [Fact]
    public async Task An_admins_role_change_switches_the_open_call_with_a_notice_instead_of_dropping_it()
    {
        await using var h = await CallHarness.StartAsync("publisher1");
        var page = await h.AliceInTutorialAsync();
        BrowserSwitches(h);
        await using var scope = h.App.Services.CreateAsyncScope();

        var result = await scope.ServiceProvider.GetRequiredService<UserAdministration>().SetOpenViduRoleAsync("admin", "publisher1", "SUBSCRIBER", TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded, result.Message);
        page.WaitForAssertion(() => Assert.Equal("SUBSCRIBER", page.Find("[data-testid=my-role]").TextContent.Trim()), Wait);
        Assert.Equal("An administrator (admin) changed your role to SUBSCRIBER.", page.Find("[data-testid=call-notice]").TextContent.Trim());
        Assert.NotNull(page.Find("[data-testid=call-title]"));
        Assert.Empty(page.FindAll("[data-testid=toggle-mic]"));
        await h.WaitForConnectionsAsync("TUTORIAL", c => c is [{ Role: "SUBSCRIBER" }]);
        Assert.Single(h.Module.Invocations["join"]);
    }

    [Fact]
    public async Task A_moderator_sees_Let_speak_for_a_subscriber_and_Take_back_once_it_is_given()
    {
        await using var h = await CallHarness.StartAsync("moderator", "MODERATOR");
        var page = await h.AliceInTutorialAsync();
        var bob = await h.Issuer.IssueAsync("TUTORIAL", "subscriber", "Bob", ConnectionKind.Camera, TestContext.Current.CancellationToken);
        h.Directory.MarkJoined("TUTORIAL", bob.ConnectionId);
        var bobRow = $"[data-testid=participant][data-username=subscriber]";

        var letSpeak = page.WaitForElement($"{bobRow} [data-testid=let-speak]", Wait);
        Assert.Equal("Let Bob speak in this call", letSpeak.GetAttribute("aria-label"));
        Assert.Empty(page.FindAll("[data-testid=participant][data-username=moderator] [data-testid=let-speak]"));
        await letSpeak.ClickAsync(new());

        page.WaitForElement($"{bobRow} [data-testid=take-back-speak]", Wait);
        Assert.True(h.Directory.MaySpeak("TUTORIAL", "subscriber"));
        Assert.Empty(page.FindAll($"{bobRow} [data-testid=let-speak]"));
    }
}
