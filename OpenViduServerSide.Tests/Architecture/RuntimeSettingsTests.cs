using System.Text.Json;

namespace OpenViduServerSide.Tests.Architecture;

/// <summary>
/// The app's runtime settings for a warm start (bench/README.md, "Warm from the start"): hot methods are optimized as soon
/// as they are hot, without tiered PGO's instrumented stop on the way. Read from the runtimeconfig.json the build wrote
/// beside the app, so a setting the runtime would not find there fails here.
/// </summary>
public sealed class RuntimeSettingsTests
{
    [Fact]
    public void The_app_optimizes_its_hot_methods_from_the_start()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "OpenViduServerSide.runtimeconfig.json");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var settings = json.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.Equal(0, settings.GetProperty("System.Runtime.TieredCompilation.CallCountingDelayMs").GetInt32());
        Assert.False(settings.GetProperty("System.Runtime.TieredPGO").GetBoolean());
    }
}
