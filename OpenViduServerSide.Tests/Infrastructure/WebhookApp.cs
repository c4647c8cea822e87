using Microsoft.Extensions.DependencyInjection;
using OpenViduEmulator;
using OpenViduServerSide.Features.Calls;
using OpenViduServerSide.Features.Directory;
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

    public CallDirectory Directory => Live.Factory.Services.GetRequiredService<CallDirectory>();

    public ConnectionIssuer Issuer => Live.Factory.Services.GetRequiredService<ConnectionIssuer>();

    public DirectoryReconciler Reconciler => Live.Factory.Services.GetRequiredService<DirectoryReconciler>();

    public CallHistoryWriter History => Live.Factory.Services.GetRequiredService<CallHistoryWriter>();

    public static async Task<WebhookApp> StartAsync()
    {
        // The emulator's webhook target is fixed when it starts, before the app's port is known: pick the app's port
        // outside Linux's ephemeral range (32768+), where the emulator's own port-0 bind can never land, and pick again
        // in the rare case something else holds it.
        for (var attempt = 1; ; attempt++)
        {
            var appPort = Random.Shared.Next(20_000, 32_000);
            try
            {
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
            catch (IOException) when (attempt < 5)
            {
                // Address in use: try another port.
            }
        }
    }

    public ValueTask DisposeAsync() => Live.DisposeAsync();
}
