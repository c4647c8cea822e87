using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using OpenViduEmulator;
using OpenViduEmulator.Testing;
using OpenViduServerSide.Features.Directory;

namespace OpenViduServerSide.Tests.Infrastructure;

/// <summary>How to host the app for a test: on the test server or Kestrel, with or without webhooks, which media plane.</summary>
public sealed record EmulatedAppOptions
{
    /// <summary>The app on real Kestrel (a loopback port, <see cref="EmulatedApp.BaseUrl"/> on http://localhost): what a browser drives.</summary>
    public bool Kestrel { get; init; }

    /// <summary>The emulator posts its webhooks to the app over real HTTP, authenticated as in docker-compose. Implies Kestrel.</summary>
    public bool Webhooks { get; init; }

    /// <summary>The emulator's options, e.g. <c>new EmulatorOptions { MediaPlane = MediaPlane.Janus }</c> for real media.</summary>
    public EmulatorOptions Emulator { get; init; } = new();

    /// <summary>App settings on top of <see cref="AppFactory"/>'s (e.g. <c>["Calls:MaxPendingPerUser"] = "2"</c>).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Replaces app services after the app registered its own (e.g. a manual clock as <see cref="TimeProvider"/>).</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    /// <summary>
    /// Joins the app to a deployment of its own on the test run's Redis (<c>OVSS_TEST_REDIS</c>, started by
    /// tools/with-test-servers.sh), so <see cref="EmulatedApp.StartInstance"/> can add more instances of it.
    /// </summary>
    public bool Redis { get; init; }

    /// <summary>The engine of the app's fresh database (SQLite unless a test runs on PostgreSQL too).</summary>
    public TestDatabase Database { get; init; } = TestDatabase.Sqlite;
}

/// <summary>
/// The one way a test hosts the app backed by OpenVidu: an emulator on loopback and the real app (<see cref="AppFactory"/>:
/// own SQLite file, demo users) pointed at it with a secret nobody could guess. On the test server by default; on
/// Kestrel for browsers and for webhooks (see <see cref="EmulatedAppOptions"/>). Disposing it stops both.
/// </summary>
public sealed class EmulatedApp : IAsyncDisposable
{
    public const string WebhookHeaderName = "X-OpenVidu-Webhook";
    public const string WebhookHeaderValue = "test-webhook-secret";

    /// <summary>
    /// <c>OpenVidu:Timeout</c> for an app backed by the emulator: the time a loaded test machine needs (AppFactory's 2 s is
    /// for the absent OpenVidu). Also for the tests that put an app of their own in front of an emulator (a restart, app processes).
    /// </summary>
    public const string OpenViduTimeout = "00:00:10";

    private readonly List<AppFactory> otherInstances = [];
    private readonly EmulatedAppOptions options;
    private readonly Dictionary<string, string?> settings;

    private EmulatedApp(OpenViduEmulatorServer emulator, AppFactory factory, string baseUrl, EmulatedAppOptions options, Dictionary<string, string?> settings)
    {
        Emulator = emulator;
        Factory = factory;
        BaseUrl = baseUrl;
        this.options = options;
        this.settings = settings;
    }

    public OpenViduEmulatorServer Emulator { get; }

    public AppFactory Factory { get; }

    /// <summary>The app's root service provider (its singletons: the directory, moderation, history, …).</summary>
    public IServiceProvider Services => Factory.Services;

    /// <summary>e.g. http://localhost:5123 on Kestrel, http://localhost on the test server (no trailing slash).</summary>
    public string BaseUrl { get; }

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>A client of the test server (or of Kestrel) that keeps cookies and does not follow redirects.</summary>
    public HttpClient CreateBrowserLikeClient() => Factory.CreateBrowserLikeClient();

    public static async Task<EmulatedApp> StartAsync(EmulatedAppOptions? options = null)
    {
        options ??= new EmulatedAppOptions();
        if (!options.Webhooks)
        {
            return await StartAsync(options, options.Emulator, new Dictionary<string, string?>(options.Settings), options.Kestrel ? 0 : null);
        }

        // The emulator's webhook target is fixed when it starts, before the app's port is known: pick the app's port
        // outside Linux's ephemeral range (32768+), where the emulator's own port-0 bind can never land, and pick again
        // in the rare case something else holds it.
        for (var attempt = 1; ; attempt++)
        {
            var appPort = Random.Shared.Next(20_000, 32_000);
            try
            {
                return await StartAsync(
                    options,
                    options.Emulator with
                    {
                        WebhookEndpoint = new Uri($"http://127.0.0.1:{appPort}/openvidu/webhook"),
                        WebhookHeaders = [$"{WebhookHeaderName}: {WebhookHeaderValue}"],
                    },
                    new Dictionary<string, string?>(options.Settings)
                    {
                        ["OpenVidu:Webhook:HeaderName"] = WebhookHeaderName,
                        ["OpenVidu:Webhook:HeaderValue"] = WebhookHeaderValue,
                    },
                    appPort);
            }
            catch (IOException) when (attempt < 5)
            {
                // Address in use: try another port.
            }
        }
    }

    /// <param name="kestrelPort">null for the test server, 0 for any free loopback port.</param>
    private static async Task<EmulatedApp> StartAsync(EmulatedAppOptions options, EmulatorOptions emulatorOptions, Dictionary<string, string?> settings, int? kestrelPort)
    {
        // A secret nobody could guess, so tests can look for it where it must never appear.
        var emulator = await OpenViduEmulatorServer.StartAsync(emulatorOptions with { Secret = $"secret-{Guid.NewGuid():N}" }, TestContext.Current.CancellationToken);
        settings["OpenVidu:Url"] = emulator.BaseUrl;
        settings["OpenVidu:Secret"] = emulator.Secret;
        settings.TryAdd("OpenVidu:Timeout", OpenViduTimeout);
        if (options.Redis)
        {
            // A test may bring a Redis of its own (TestServers.StartPrivateRedisAsync).
            settings.TryAdd("ConnectionStrings:Redis", TestServers.Redis);
            settings["ScaleOut:Deployment"] = $"t{Guid.NewGuid():N}";
        }

        var factory = new AppFactory(settings: settings, testServices: options.TestServices, database: options.Database);
        try
        {
            if (kestrelPort is { } port)
            {
                factory.UseKestrel(port);
                factory.StartServer();
                return new EmulatedApp(emulator, factory, $"http://localhost:{factory.ClientOptions.BaseAddress.Port}", options, settings);
            }

            _ = factory.Server;
            return new EmulatedApp(emulator, factory, factory.ClientOptions.BaseAddress.ToString().TrimEnd('/'), options, settings);
        }
        catch
        {
            await factory.DisposeAsync();
            await emulator.DisposeAsync();
            throw;
        }
    }

    private readonly List<OpenViduRpcClient> tabs = [];

    /// <summary>
    /// Another instance of the same deployment (<see cref="EmulatedAppOptions.Redis"/>): the same OpenVidu, database and
    /// Redis, on the test server; stopped with this app. OpenVidu's webhooks still go to the first instance.
    /// </summary>
    public AppFactory StartInstance()
    {
        if (!options.Redis)
        {
            throw new InvalidOperationException("Only an app started with Redis = true has other instances.");
        }

        var instance = new AppFactory(Factory.Database, settings, options.TestServices);
        otherInstances.Add(instance);
        _ = instance.Server;
        return instance;
    }

    /// <summary>
    /// Someone in a call without a browser: a connection minted by the app's issuer, joined over the real JSON-RPC socket
    /// and marked joined as the call page would. The tab closes with the app.
    /// </summary>
    public async Task<(IssuedConnection Issued, OpenViduRpcClient Tab)> JoinOverRpcAsync(string session, string user, string nickname, ConnectionKind kind = ConnectionKind.Camera)
    {
        var ct = TestContext.Current.CancellationToken;
        var issued = await Get<ConnectionIssuer>().IssueAsync(session, user, nickname, kind, ct);
        var tab = await OpenViduRpcClient.JoinAsync(issued.Token, OpenViduRpcClient.ClientData(nickname), ct);
        tabs.Add(tab);
        Get<CallDirectory>().MarkJoined(session, issued.ConnectionId);
        return (issued, tab);
    }

    /// <summary>A signed-in user as the app's services see one (a name and roles), for calling them directly.</summary>
    public static ClaimsPrincipal User(string name, params string[] roles) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), .. roles.Select(r => new Claim(ClaimTypes.Role, r))], "test"));

    public async ValueTask DisposeAsync()
    {
        foreach (var tab in tabs)
        {
            await tab.DisposeAsync();
        }

        foreach (var instance in otherInstances)
        {
            await instance.DisposeAsync();
        }

        await Factory.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}
