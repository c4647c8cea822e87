using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Playwright;
using OpenViduServerSide.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OpenViduServerSide.Tests.EndToEnd;

/// <summary>One cluster (two app processes, the front, one emulator) for the tests of a class that kill nobody.</summary>
public sealed class ScaleOutClusterFixture : IAsyncLifetime
{
    public ScaleOutCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Cluster = await ScaleOutCluster.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}

/// <summary>
/// Two app instances of one deployment, each a process of the built app, with pages opened directly on one or the
/// other: what one instance does, the people on the other see. Media-free (the emulator's fake SDP), real browsers.
/// </summary>
public sealed class ScaleOutTests(BrowserFixture browsers, ScaleOutClusterFixture fixture) : IClassFixture<ScaleOutClusterFixture>
{
    private ScaleOutCluster Cluster => fixture.Cluster;

    private ClusterProcess A => Cluster.Instances[0];

    private ClusterProcess B => Cluster.Instances[1];

    [Fact]
    public async Task Someone_who_joins_on_one_instance_is_on_a_page_of_the_other_within_a_second()
    {
        await using var bobContext = await browsers.NewContextAsync(B.Url);
        await using var aliceContext = await browsers.NewContextAsync(A.Url);
        var bob = await SignedInAsync(bobContext, "publisher2");
        var alice = await SignedInAsync(aliceContext, "publisher1");
        await bob.JoinAsync("Spread", "Bob");

        await alice.JoinAsync("Spread", "Alice");
        var sinceAliceIsIn = Stopwatch.StartNew();

        // Her page shows the call once instance A has her connection; B's page must list her a second later at most.
        await Expect(bob.Participants.Filter(new() { HasText = "Alice" })).ToHaveCountAsync(1, new() { Timeout = 1_000 });
        Assert.True(sinceAliceIsIn.Elapsed < TimeSpan.FromSeconds(1), $"B showed Alice after {sinceAliceIsIn.ElapsedMilliseconds} ms.\n{Cluster.Logs()}");
        await Expect(alice.Participants.Filter(new() { HasText = "Bob" })).ToHaveCountAsync(1);
        await bob.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("scale-out-page-on-b") });

        await alice.Page.GetByTestId("leave").ClickAsync();
        await Expect(bob.Participants.Filter(new() { HasText = "Alice" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_webhook_posted_to_one_instance_updates_the_pages_of_the_other()
    {
        await using var bobContext = await browsers.NewContextAsync(A.Url);
        var bob = await SignedInAsync(bobContext, "publisher2");
        await bob.JoinAsync("Hooked", "Bob");
        await Expect(bob.Participants).ToHaveCountAsync(1);
        var session = Cluster.Emulator.Controls.Snapshot().FindSession("Hooked")!;
        var uniqueSessionId = $"{session.Id}_{session.CreatedAt}";

        // OpenVidu tells instance B that someone joined with a connection the app minted elsewhere (a tutorial app, say).
        var joined = $$"""{"sessionId":"Hooked","uniqueSessionId":"{{uniqueSessionId}}","timestamp":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}},"participantId":"con_HOOKEDAAAA","connectionId":"con_HOOKEDAAAA","serverData":"{\"serverData\":\"publisher1\",\"kind\":\"camera\",\"role\":\"PUBLISHER\",\"nickname\":\"Carol\"}","event":"participantJoined"}""";
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{B.Url}/openvidu/webhook") { Content = new StringContent(joined, Encoding.UTF8, "application/json") };
        request.Headers.Add(EmulatedApp.WebhookHeaderName, EmulatedApp.WebhookHeaderValue);
        using var answer = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);

        await Expect(bob.Participants.Filter(new() { HasText = "Carol" })).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task A_moderator_on_one_instance_removes_someone_whose_page_is_on_the_other()
    {
        await using var moderatorContext = await browsers.NewContextAsync(B.Url);
        await using var pupilContext = await browsers.NewContextAsync(A.Url);
        var moderator = await SignedInAsync(moderatorContext, "moderator");
        var pupil = await SignedInAsync(pupilContext, "subscriber");
        await moderator.JoinAsync("Lesson", "Teacher");
        await pupil.JoinAsync("Lesson", "Pupil");

        var pupilRow = moderator.Participants.Filter(new() { HasText = "Pupil" });
        await Expect(pupilRow).ToHaveCountAsync(1);
        await pupilRow.GetByTestId("remove-person").ClickAsync();
        await moderator.Page.GetByLabel("Reason (shown to them, optional)").FillAsync("Wrong room");
        await moderator.Page.GetByTestId("prompt-confirm").ClickAsync();

        await Expect(pupil.Page.GetByTestId("call-notice")).ToContainTextAsync("You were removed from the call by a moderator (moderator). Reason: Wrong room");
        await Expect(pupil.Page.GetByTestId("join-button")).ToBeVisibleAsync();
        await Expect(moderator.Participants.Filter(new() { HasText = "Pupil" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task An_admin_locking_someone_on_one_instance_ends_their_call_on_the_other()
    {
        await using var adminContext = await browsers.NewContextAsync(A.Url);
        await using var publisherContext = await browsers.NewContextAsync(B.Url);
        var publisher = await SignedInAsync(publisherContext, "publisher1");
        await publisher.JoinAsync("Locked", "Dana");
        await Expect(publisher.Participants.Filter(new() { HasText = "Dana" })).ToHaveCountAsync(1);
        var admin = await SignedInAsync(adminContext, "admin");

        await admin.Page.GotoAsync("/admin/users");
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Lock publisher1", Exact = true }).ClickAsync();
        await Expect(admin.Page.GetByRole(AriaRole.Button, new() { Name = "Unlock publisher1", Exact = true })).ToBeVisibleAsync();

        // Taken out of the call at once (not at the next revalidation): the page on B no longer shows the call.
        await Expect(publisher.Page.GetByTestId("call-title")).ToHaveCountAsync(0);
        await admin.Page.GotoAsync("/admin/sessions");
        await Expect(admin.Page.GetByTestId("live-call").Filter(new() { HasText = "Locked" })).ToHaveCountAsync(0);

        await admin.Page.GotoAsync("/admin/users");
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Unlock publisher1", Exact = true }).ClickAsync();
        await Expect(admin.Page.GetByRole(AriaRole.Button, new() { Name = "Lock publisher1", Exact = true })).ToBeVisibleAsync();
    }

    internal static async Task<AppPage> SignedInAsync(IBrowserContext context, string user)
    {
        var page = new AppPage(await context.NewPageAsync());
        await page.SignInAsync(user);
        return page;
    }
}
