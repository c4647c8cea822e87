using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OpenViduEmulator.Media;
using OpenViduEmulator.Rest;
using OpenViduEmulator.Rpc;
using OpenViduEmulator.State;
using OpenViduEmulator.Webhooks;

namespace OpenViduEmulator;

/// <summary>
/// An OpenVidu 2.32 server emulator (REST, webhooks, browser WebSocket) hosted in-process on Kestrel.
/// State lives outside the web host, so <see cref="EmulatorControls.GoDownAsync"/> can stop and restart
/// the listener on the same port without forgetting sessions.
/// </summary>
public sealed class OpenViduEmulatorServer : IAsyncDisposable
{
    private readonly EmulatorOptions options;
    private readonly ILoggerFactory loggerFactory;
    private readonly WebhookDispatcher webhooks;
    private readonly EmulatorEngine engine;
    private readonly RestFaults faults = new();
    private readonly SemaphoreSlim hostGate = new(1, 1);
    private WebApplication? app;
    private IPEndPoint? endpoint;
    private string listenHost = "127.0.0.1";
    private readonly bool ownsRecordingsFolder;

    private OpenViduEmulatorServer(EmulatorOptions options)
    {
        this.options = options;
        loggerFactory = LoggerFactory.Create(b => options.ConfigureLogging?.Invoke(b));
        var changes = new ChangeSignal();
        webhooks = new WebhookDispatcher(options, changes, loggerFactory.CreateLogger<WebhookDispatcher>());
        engine = new EmulatorEngine(options, webhooks, changes);
        ownsRecordingsFolder = options.RecordingPath is null;
        engine.RecordingsFolder = options.RecordingPath is { } path
            ? Directory.CreateDirectory(path).FullName
            : Path.Combine(Path.GetTempPath(), "ov-emulator-recordings-" + Guid.NewGuid().ToString("N"));
        Controls = new EmulatorControls(this, engine, faults, webhooks, changes);
    }

    /// <summary>Where the emulator listens, e.g. <c>http://127.0.0.1:54321</c> (no trailing slash).</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The port listened on (stable across GoDown/GoUp).</summary>
    public int Port => endpoint?.Port ?? 0;

    /// <summary>The OpenVidu secret (REST password for user OPENVIDUAPP).</summary>
    public string Secret => options.Secret;

    public EmulatorControls Controls { get; }

    internal bool IsDown => app is null;

    /// <summary>Starts an emulator; by default on a free port of 127.0.0.1.</summary>
    public static async Task<OpenViduEmulatorServer> StartAsync(EmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        var server = new OpenViduEmulatorServer(options ?? new EmulatorOptions());
        try
        {
            if (server.options.MediaPlane == MediaPlane.Janus)
            {
                server.engine.Media = await JanusMediaPlane.StartAsync(server.options, server.loggerFactory, cancellationToken);
            }

            await server.StartListeningAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    internal async Task StartListeningAsync(CancellationToken cancellationToken)
    {
        await hostGate.WaitAsync(cancellationToken);
        try
        {
            if (this.app is not null)
            {
                return;
            }

            var listen = options.ListenUrl ?? new Uri("http://127.0.0.1:0");
            listenHost = listen.Host;
            var app = BuildApp(endpoint ?? new IPEndPoint(ResolveListenAddress(listen.Host), listen.Port), listen.Host == "localhost");
            await app.StartAsync(cancellationToken);
            this.app = app;
            if (endpoint is null)
            {
                var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
                endpoint = new IPEndPoint(ResolveListenAddress(listen.Host), new Uri(address).Port);
                var host = listenHost is "0.0.0.0" or "*" or "+" or "[::]" ? "127.0.0.1" : listenHost;
                BaseUrl = $"{listen.Scheme}://{host}:{endpoint.Port}";
                engine.PublicUrl = (options.PublicUrl?.ToString() ?? BaseUrl).TrimEnd('/');
            }
        }
        finally
        {
            hostGate.Release();
        }
    }

    internal async Task StopListeningAsync(CancellationToken cancellationToken)
    {
        await hostGate.WaitAsync(cancellationToken);
        try
        {
            if (this.app is not { } app)
            {
                return;
            }

            this.app = null;
            engine.AbortAllSockets();
            await app.StopAsync(cancellationToken);
            await app.DisposeAsync();
        }
        finally
        {
            hostGate.Release();
        }
    }

    private static IPAddress ResolveListenAddress(string host) => host switch
    {
        "localhost" => IPAddress.Loopback,
        "0.0.0.0" or "*" or "+" => IPAddress.Any,
        _ => IPAddress.Parse(host.Trim('[', ']')),
    };

    private WebApplication BuildApp(IPEndPoint endpoint, bool localhost)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(OpenViduEmulatorServer).Assembly.GetName().Name,
        });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            if (localhost && endpoint.Port != 0)
            {
                kestrel.ListenLocalhost(endpoint.Port);
            }
            else
            {
                kestrel.Listen(endpoint);
            }
        });
        builder.Services.AddRoutingCore();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        // The listener comes and goes (GoDown/GoUp) inside a longer-lived emulator, so it must not own the process's
        // signals: the default console lifetime swallowed SIGTERM to stop only this listener, and the process hung.
        builder.Services.AddSingleton<IHostLifetime, ListenerLifetime>();
        options.ConfigureLogging?.Invoke(builder.Logging);

        var app = builder.Build();
        app.UseWebSockets();
        app.UseOpenViduRest(options.Secret, faults);
        app.UseRouting();
        var api = app.MapGroup(RestPipeline.ApiPrefix);
        api.MapSessionEndpoints(engine);
        api.MapConfigEndpoints(engine);
        if (options.Recording)
        {
            app.MapRecordingFiles(engine, options.Secret);
        }

        app.MapOpenViduRpc(engine, loggerFactory);
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        await StopListeningAsync(CancellationToken.None);
        await engine.Media.DisposeAsync();
        await webhooks.DisposeAsync();
        if (ownsRecordingsFolder && Directory.Exists(engine.RecordingsFolder))
        {
            Directory.Delete(engine.RecordingsFolder, recursive: true);
        }

        loggerFactory.Dispose();
        hostGate.Dispose();
    }
}

/// <summary>A host lifetime that leaves SIGTERM, SIGINT and SIGQUIT to whoever owns the process.</summary>
internal sealed class ListenerLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
