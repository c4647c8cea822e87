using System.Text.Json;

namespace OpenViduServerSide.Tests.Architecture;

/// <summary>
/// The app's package.json is the one source of the openvidu-browser version (the build copies the bundle under a
/// version-less name). The emulator's fidelity tests install their own copy, so their package.json must name the same one.
/// </summary>
public sealed class OpenViduBrowserVersionTests
{
    [Fact]
    public void The_emulator_tests_run_the_openvidu_browser_the_app_ships()
    {
        var repository = Repository.Root();

        var app = OpenViduBrowserVersion(Path.Combine(repository, "OpenViduServerSide", "package.json"));
        var emulatorTests = OpenViduBrowserVersion(Path.Combine(repository, "tools", "OpenViduEmulator.Tests", "package.json"));

        Assert.Equal(app, emulatorTests);
    }

    private static string? OpenViduBrowserVersion(string packageJson)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(packageJson));
        return json.RootElement.GetProperty("dependencies").GetProperty("openvidu-browser").GetString();
    }
}
