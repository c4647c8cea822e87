using System.Net;
using System.Text.Json;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features;

public sealed class ReadinessTests
{
    [Fact]
    public async Task The_app_pointed_at_a_running_OpenVidu_reports_ready()
    {
        await using var app = await EmulatedApp.StartAsync(new EmulatedAppOptions { Kestrel = true });
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };
        // The checks' details are for admins; anonymous callers get the overall status only.
        await LoginFlow.SignInAsync(http, "admin");

        using var response = await http.GetAsync("/health/ready", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var openVidu = json.RootElement.GetProperty("checks").GetProperty("openvidu");
        Assert.Equal("Healthy", openVidu.GetProperty("status").GetString());
        Assert.Equal("OpenVidu 2.32.2", openVidu.GetProperty("description").GetString());
    }
}
