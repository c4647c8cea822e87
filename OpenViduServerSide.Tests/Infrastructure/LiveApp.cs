using OpenViduEmulator;

namespace OpenViduServerSide.Tests.Infrastructure;

/// <summary>
/// The app on real Kestrel (a loopback port) backed by an OpenVidu emulator on another loopback port: what a browser
/// test drives. Pages are opened on http://localhost (a secure context, so getUserMedia works).
/// </summary>
public sealed class LiveApp : IAsyncDisposable
{
    private LiveApp(OpenViduEmulatorServer emulator, AppFactory factory, string baseUrl)
    {
        Emulator = emulator;
        Factory = factory;
        BaseUrl = baseUrl;
    }

    public OpenViduEmulatorServer Emulator { get; }

    public AppFactory Factory { get; }

    /// <summary>e.g. http://localhost:5123 (no trailing slash).</summary>
    public string BaseUrl { get; }

    public static async Task<LiveApp> StartAsync(IDictionary<string, string?>? settings = null, EmulatorOptions? emulatorOptions = null, int appPort = 0)
    {
        // A secret nobody could guess, so tests can look for it where it must never appear.
        emulatorOptions = (emulatorOptions ?? new EmulatorOptions()) with { Secret = $"secret-{Guid.NewGuid():N}" };
        var emulator = await OpenViduEmulatorServer.StartAsync(emulatorOptions, TestContext.Current.CancellationToken);
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["OpenVidu:Url"] = emulator.BaseUrl,
            ["OpenVidu:Secret"] = emulator.Secret,
        };
        var factory = new AppFactory(settings: all);
        factory.UseKestrel(appPort);
        try
        {
            factory.StartServer();
        }
        catch
        {
            await factory.DisposeAsync();
            await emulator.DisposeAsync();
            throw;
        }

        var address = factory.ClientOptions.BaseAddress;
        var baseUrl = $"http://localhost:{address.Port}";
        return new LiveApp(emulator, factory, baseUrl);
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}
