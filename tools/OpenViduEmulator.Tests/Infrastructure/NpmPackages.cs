using System.Diagnostics;
using System.Text.Json;

namespace OpenViduEmulator.Tests.Infrastructure;

/// <summary>The official OpenVidu npm packages (package.json / package-lock.json of this test project).</summary>
internal static class NpmPackages
{
    private static readonly Lazy<Task> Installed = new(InstallAsync);

    /// <summary>tools/OpenViduEmulator.Tests, found by walking up from the test binaries.</summary>
    public static string ProjectDirectory { get; } = FindProjectDirectory();

    public static string NodeModules => Path.Combine(ProjectDirectory, "node_modules");

    /// <summary>The version package.json asks for: the only place it is written.</summary>
    public static string BrowserVersion { get; } = DependencyVersion("openvidu-browser");

    public static string BrowserBundle => Path.Combine(NodeModules, "openvidu-browser", "static", "js", $"openvidu-browser-{BrowserVersion}.min.js");

    /// <summary>Runs <c>npm ci</c> once if the packages are missing (idempotent; the repo's test script may have done it).</summary>
    public static Task EnsureInstalledAsync() => Installed.Value;

    private static async Task InstallAsync()
    {
        if (File.Exists(Path.Combine(NodeModules, "openvidu-node-client", "package.json")) && File.Exists(BrowserBundle))
        {
            return;
        }

        var npm = new ProcessStartInfo("npm", "ci --no-audit --no-fund")
        {
            WorkingDirectory = ProjectDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(npm) ?? throw new InvalidOperationException("Could not start npm: is Node.js on PATH?");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci failed ({process.ExitCode}): {await stdout}{await stderr}");
        }
    }

    private static string DependencyVersion(string package)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(ProjectDirectory, "package.json")));
        return json.RootElement.GetProperty("dependencies").GetProperty(package).GetString()
            ?? throw new InvalidOperationException($"package.json names no {package} version.");
    }

    private static string FindProjectDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpenViduEmulator.Tests.csproj")) && File.Exists(Path.Combine(dir.FullName, "package.json")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Could not find tools/OpenViduEmulator.Tests above " + AppContext.BaseDirectory);
    }
}
