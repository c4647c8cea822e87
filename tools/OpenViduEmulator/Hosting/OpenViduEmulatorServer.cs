using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging;
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
    private readonly EmulatorOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly WebhookDispatcher _webhooks;
    private readonly EmulatorEngine _engine;
    private readonly RestFaults _faults = new();
    private readonly SemaphoreSlim _hostGate = new(1, 1);
    private WebApplication? _app;
    private IPEndPoint? _endpoint;
    private string _listenHost = "127.0.0.1";

    private OpenViduEmulatorServer(EmulatorOptions options)
    {
        _options = options;
        _loggerFactory = LoggerFactory.Create(b => options.ConfigureLogging?.Invoke(b));
        var changes = new ChangeSignal();
        _webhooks = new WebhookDispatcher(options, changes, _loggerFactory.CreateLogger<WebhookDispatcher>());
        _engine = new EmulatorEngine(options, _webhooks, changes);
        Controls = new EmulatorControls(this, _engine, _faults, _webhooks, changes);
    }

    /// <summary>Where the emulator listens, e.g. <c>http://127.0.0.1:54321</c> (no trailing slash).</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The port listened on (stable across GoDown/GoUp).</summary>
    public int Port => _endpoint?.Port ?? 0;

    /// <summary>The OpenVidu secret (REST password for user OPENVIDUAPP).</summary>
    public string Secret => _options.Secret;

    public EmulatorControls Controls { get; }

    internal bool IsDown => _app is null;

    /// <summary>Starts an emulator; by default on a free port of 127.0.0.1.</summary>
    public static async Task<OpenViduEmulatorServer> StartAsync(EmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        var server = new OpenViduEmulatorServer(options ?? new EmulatorOptions());
        try
        {
            if (server._options.MediaPlane == MediaPlane.Janus)
            {
                server._engine.Media = await JanusMediaPlane.StartAsync(server._options, server._loggerFactory, cancellationToken);
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
        await _hostGate.WaitAsync(cancellationToken);
        try
        {
            if (_app is not null)
            {
                return;
            }

            var listen = _options.ListenUrl ?? new Uri("http://127.0.0.1:0");
            _listenHost = listen.Host;
            var app = BuildApp(_endpoint ?? new IPEndPoint(ResolveListenAddress(listen.Host), listen.Port), listen.Host == "localhost");
            await app.StartAsync(cancellationToken);
            _app = app;
            if (_endpoint is null)
            {
                var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
                _endpoint = new IPEndPoint(ResolveListenAddress(listen.Host), new Uri(address).Port);
                var host = _listenHost is "0.0.0.0" or "*" or "+" or "[::]" ? "127.0.0.1" : _listenHost;
                BaseUrl = $"{listen.Scheme}://{host}:{_endpoint.Port}";
                _engine.PublicUrl = (_options.PublicUrl?.ToString() ?? BaseUrl).TrimEnd('/');
            }
        }
        finally
        {
            _hostGate.Release();
        }
    }

    internal async Task StopListeningAsync(CancellationToken cancellationToken)
    {
        await _hostGate.WaitAsync(cancellationToken);
        try
        {
            if (_app is not { } app)
            {
                return;
            }

            _app = null;
            _engine.AbortAllSockets();
            await app.StopAsync(cancellationToken);
            await app.DisposeAsync();
        }
        finally
        {
            _hostGate.Release();
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
        _options.ConfigureLogging?.Invoke(builder.Logging);

        var app = builder.Build();
        app.UseWebSockets();
        app.UseOpenViduRest(_options.Secret, _faults);
        app.UseRouting();
        var api = app.MapGroup(RestPipeline.ApiPrefix);
        api.MapSessionEndpoints(_engine);
        api.MapConfigEndpoints(_engine);
        app.MapOpenViduRpc(_engine, _loggerFactory);
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        await StopListeningAsync(CancellationToken.None);
        await _engine.Media.DisposeAsync();
        await _webhooks.DisposeAsync();
        _loggerFactory.Dispose();
        _hostGate.Dispose();
    }
}

/// <summary>A host lifetime that leaves SIGTERM, SIGINT and SIGQUIT to whoever owns the process.</summary>
internal sealed class ListenerLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
