using System.Net;
using System.Net.Sockets;
using OpenViduEmulator;

namespace OpenViduServerSide.Tests.Infrastructure;

/// <summary>How to shape a <see cref="ScaleOutCluster"/>.</summary>
public sealed record ScaleOutClusterOptions
{
    /// <summary>How many app instances (processes) behind the front.</summary>
    public int Instances { get; init; } = 2;

    /// <summary>Where OpenVidu posts its webhooks: null for the front (as in docker-compose's scale profile), else that instance (0-based).</summary>
    public int? WebhooksToInstance { get; init; }

    /// <summary>App settings for every instance, on top of the cluster's (keys as in appsettings, e.g. <c>Calls:MaxPendingPerUser</c>).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// A deployment of several instances, as in production: one in-process OpenVidu emulator (fake SDP, no media), N app
/// instances as separate processes of the built app (one database, one Redis deployment of their own, shared
/// data-protection keys), and the front (OpenViduServerSide.Front, a process too) before them with affinity and health
/// checks. Needs the test run's Redis (tools/with-test-servers.sh). Disposing it kills every process and stops the emulator.
/// </summary>
public sealed class ScaleOutCluster : IAsyncDisposable
{
    /// <summary>The front answers every request with the name of the instance that served it in this header (set for tests only).</summary>
    public const string InstanceHeader = "X-Instance";

    /// <summary>How often the front asks each instance's /health here (production's default is 5 s).</summary>
    public static readonly TimeSpan HealthCheckInterval = TimeSpan.FromMilliseconds(500);

    private readonly string folder;

    private ScaleOutCluster(OpenViduEmulatorServer emulator, string folder)
    {
        Emulator = emulator;
        this.folder = folder;
    }

    public OpenViduEmulatorServer Emulator { get; }

    public IReadOnlyList<ClusterProcess> Instances => instances;

    public ClusterProcess Front { get; private set; } = null!;

    /// <summary>What a browser opens: the front on http://localhost.</summary>
    public string FrontUrl { get; private set; } = null!;

    /// <summary>The deployment's name on Redis (its channels and keys), new for each cluster.</summary>
    public string Deployment { get; } = $"t{Guid.NewGuid():N}";

    /// <summary>The PostgreSQL database every instance shares (a fresh one from the run's server, dropped with the cluster).</summary>
    public AppDatabase Database { get; private set; } = null!;

    private readonly List<ClusterProcess> instances = [];

    public ClusterProcess Instance(string name) => instances.Single(i => i.Name == name);

    public static async Task<ScaleOutCluster> StartAsync(ScaleOutClusterOptions? options = null)
    {
        options ??= new ScaleOutClusterOptions();
        var redis = TestServers.Redis;
        var folder = Directory.CreateTempSubdirectory("ovss-cluster-").FullName;

        // OpenVidu's webhook target is fixed when the emulator starts: choose every port first, outside Linux's
        // ephemeral range (32768+) where the emulator's own port-0 bind lands.
        var frontPort = FreePort();
        var instancePorts = Enumerable.Range(0, options.Instances).Select(_ => FreePort()).ToList();
        var webhookTarget = options.WebhooksToInstance is { } index
            ? $"http://127.0.0.1:{instancePorts[index]}"
            : $"http://127.0.0.1:{frontPort}";
        var emulator = await OpenViduEmulatorServer.StartAsync(
            new EmulatorOptions
            {
                Secret = $"secret-{Guid.NewGuid():N}",
                WebhookEndpoint = new Uri($"{webhookTarget}/openvidu/webhook"),
                WebhookHeaders = [$"{EmulatedApp.WebhookHeaderName}: {EmulatedApp.WebhookHeaderValue}"],
            },
            TestContext.Current.CancellationToken);
        var cluster = new ScaleOutCluster(emulator, folder);
        try
        {
            await cluster.StartProcessesAsync(options, redis, frontPort, instancePorts);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task StartProcessesAsync(ScaleOutClusterOptions options, string redis, int frontPort, List<int> instancePorts)
    {
        // As a deployment runs: one PostgreSQL database, which also holds the keys that protect cookies and circuits.
        Database = AppDatabase.Create(TestDatabase.PostgreSql);
        var settings = new Dictionary<string, string>
        {
            // The build output serves its static files with their content types only when static web assets are on, and
            // ASP.NET Core turns them on in Development (AppFactory's test server calls UseStaticWebAssets instead).
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ConnectionStrings:Redis"] = redis,
            ["ScaleOut:Deployment"] = Deployment,
            ["Seed:DemoUsers"] = "true",
            ["Seed:AllowDemoUsersOutsideDevelopment"] = "true",
            ["OpenVidu:Url"] = Emulator.BaseUrl,
            ["OpenVidu:Secret"] = Emulator.Secret,
            ["OpenVidu:Timeout"] = EmulatedApp.OpenViduTimeout,
            ["OpenVidu:Webhook:HeaderName"] = EmulatedApp.WebhookHeaderName,
            ["OpenVidu:Webhook:HeaderValue"] = EmulatedApp.WebhookHeaderValue,
            // Every browser of the suite comes from one address.
            ["RateLimits:SignInPerAddressPerMinute"] = "100000",
            ["RateLimits:SignInPerUserNamePerMinute"] = "100000",
            ["RateLimits:ConnectionsPerUserPerMinute"] = "100000",
            ["RateLimits:ConnectionsPerAddressPerMinute"] = "100000",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:OpenViduServerSide"] = "Information",
        };
        foreach (var (key, value) in Database.Settings)
        {
            settings[key] = value!;
        }

        foreach (var (key, value) in options.Settings)
        {
            settings[key] = value;
        }

        var environment = settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value);
        var app = BuiltAssembly("OpenViduServerSide");

        // The first instance migrates and seeds the empty database alone; the others find it ready.
        instances.Add(await ClusterProcess.StartAsync("app1", app, $"http://127.0.0.1:{instancePorts[0]}", environment, folder, "/health"));
        var others = await Task.WhenAll(instancePorts.Skip(1).Select((port, i) =>
            ClusterProcess.StartAsync($"app{i + 2}", app, $"http://127.0.0.1:{port}", environment, folder, "/health")));
        instances.AddRange(others);

        var front = new Dictionary<string, string>
        {
            ["Front__HealthCheckInterval"] = HealthCheckInterval.ToString("c"),
            ["Front__HealthCheckTimeout"] = "00:00:01",
            ["Front__InstanceHeader"] = InstanceHeader,
            ["Logging__LogLevel__Yarp"] = "Information",
        };
        foreach (var instance in instances)
        {
            front[$"Front__Instances__{instance.Name}"] = instance.Url;
        }

        // localhost (both loopbacks), as a browser is pointed at it; OpenVidu posts to 127.0.0.1.
        Front = await ClusterProcess.StartAsync("front", BuiltAssembly("OpenViduServerSide.Front"), $"http://localhost:{frontPort}", front, folder, "/health");
        FrontUrl = Front.Url;
    }

    /// <summary>SIGKILL to one instance: no shutdown, nothing flushed, its circuits gone.</summary>
    public Task KillAsync(ClusterProcess instance) =>
        instances.Contains(instance) ? instance.KillAsync() : throw new ArgumentException($"{instance.Name} is not an app instance of this cluster.", nameof(instance));

    /// <summary>Every process's last output lines, for an assertion message.</summary>
    public string Logs() => string.Join('\n', instances.Append(Front).OfType<ClusterProcess>().Select(p => p.LogTail()));

    /// <summary>
    /// The build output of a project of this repository next to the tests' own (…/OpenViduServerSide.Tests/bin/Debug/net10.0
    /// becomes …/Name/bin/Debug/net10.0/Name.dll): the program exactly as built, as a deployment runs it.
    /// </summary>
    private static string BuiltAssembly(string project)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var repository = testOutput.Parent.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(repository, project, "bin", configuration, framework, $"{project}.dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{project} is not built at {path}: build the solution (dotnet build OpenViduServerSide.sln) before the tests.", path);
    }

    private static int FreePort()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = Random.Shared.Next(20_000, 32_000);
            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Start();
                return port;
            }
            catch (SocketException) when (attempt < 20)
            {
                // Taken: try another.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in instances.Append(Front).OfType<ClusterProcess>())
        {
            await process.DisposeAsync();
        }

        await Emulator.DisposeAsync();
        if (Database is not null)
        {
            await Database.DisposeAsync();
        }

        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A log still open somewhere: the temp folder's cleaner takes it.
        }
    }
}
