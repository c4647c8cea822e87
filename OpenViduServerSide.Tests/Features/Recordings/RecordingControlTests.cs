using System.Net;
using System.Text.Json;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OpenViduServerSide.Features.Moderation;
using OpenViduServerSide.Features.Recordings;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Recordings;

/// <summary>The call page's recording control: who gets the button, when it hides, and the indicator for everyone.</summary>
public sealed class RecordingControlTests : MudTestContext
{
    private CallRecordings Use(string config)
    {
        var directory = InMemoryDirectory.Create();
        var moderation = new CallModeration(directory, null!, null!, null!, TimeProvider.System, NullLogger<CallModeration>.Instance);
        var recordings = new CallRecordings(moderation, directory, StubOpenVidu.Client(_ => (HttpStatusCode.OK, config)), null!, null!,
            TimeProvider.System, NullLogger<CallRecordings>.Instance);
        Services.AddSingleton(recordings);
        return recordings;
    }

    [Fact]
    public void A_moderator_gets_the_record_button_when_OpenVidu_records()
    {
        AddAuthorization().SetAuthorized("moderator").SetRoles("MODERATOR");
        Use(StubOpenVidu.RecordingOn);

        var control = Render<RecordingControl>(p => p.Add(c => c.SessionName, "Class").Add(c => c.Role, "MODERATOR"));

        control.WaitForAssertion(() => Assert.Equal("Record", control.Find("[data-testid=toggle-recording]").TextContent.Trim()));
        Assert.Empty(control.FindAll("[data-testid=recording-indicator]"));
    }

    [Fact]
    public void The_button_is_hidden_where_OpenVidu_does_not_record()
    {
        AddAuthorization().SetAuthorized("moderator").SetRoles("MODERATOR");
        Use(StubOpenVidu.RecordingOff);

        var control = Render<RecordingControl>(p => p.Add(c => c.SessionName, "Class").Add(c => c.Role, "MODERATOR"));

        control.WaitForAssertion(() => Assert.Empty(control.FindAll("[data-testid=toggle-recording]")));
    }

    [Fact]
    public void A_publisher_gets_no_button_but_sees_the_indicator_as_soon_as_the_webhook_says_it_started()
    {
        AddAuthorization().SetAuthorized("publisher1").SetRoles("PUBLISHER");
        var recordings = Use(StubOpenVidu.RecordingOn);
        var control = Render<RecordingControl>(p => p.Add(c => c.SessionName, "Class").Add(c => c.Role, "PUBLISHER"));
        Assert.Empty(control.FindAll("[data-testid=toggle-recording]"));
        Assert.Empty(control.FindAll("[data-testid=recording-indicator]"));

        using var started = JsonDocument.Parse($$"""{"event":"recordingStatusChanged","id":"Class","sessionId":"Class","status":"started","startTime":{{DateTimeOffset.UtcNow.AddSeconds(-75).ToUnixTimeMilliseconds()}}}""");
        recordings.OnEvent("recordingStatusChanged", started.RootElement);

        control.WaitForAssertion(() => Assert.Matches("^1:1[5-9]$", control.Find("[data-testid=recording-time]").TextContent));
        Assert.Equal("This call is being recorded.", control.Find("[data-testid=recording-announcement]").TextContent);
        Assert.Empty(control.FindAll("[data-testid=toggle-recording]"));
    }
}
