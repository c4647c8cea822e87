using Microsoft.Extensions.DependencyInjection;
using OpenViduEmulator;
using OpenViduServerSide.Features.Calls;
using OpenViduServerSide.Features.History;

namespace OpenViduServerSide.Tests.Infrastructure;

/// <summary>
/// The app on Kestrel with an emulator whose webhooks point back at it, authenticated as configured:
/// OpenVidu's events reach the app over real HTTP, as in docker-compose.
/// </summary>
public sealed class WebhookApp : IAsyncDisposable
{
    public const string HeaderName = "X-OpenVidu-Webhook";
    public const string HeaderValue = "test-webhook-secret";

    private WebhookApp(LiveApp live) => Live = live;

    public LiveApp Live { get; }

    public OpenViduEmulatorServer Emulator => Live.Emulator;

    public SessionDirectory Directory => Live.Factory.Services.GetRequiredService<SessionDirectory>();

    public CallHistoryWriter History => Live.Factory.Services.GetRequiredService<CallHistoryWriter>();

    public static async Task<WebhookApp> StartAsync()
    {
        // The app's port is only known once it runs, and the emulator's webhook target is fixed at start: reserve a port first.
        var appPort = FreePort();
        var live = await LiveApp.StartAsync(
            new Dictionary<string, string?>
            {
                ["OpenVidu:Webhook:HeaderName"] = HeaderName,
                ["OpenVidu:Webhook:HeaderValue"] = HeaderValue,
            },
            new EmulatorOptions
            {
                WebhookEndpoint = new Uri($"http://127.0.0.1:{appPort}/openvidu/webhook"),
                WebhookHeaders = [$"{HeaderName}: {HeaderValue}"],
            },
            appPort);
        return new WebhookApp(live);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public ValueTask DisposeAsync() => Live.DisposeAsync();
}
