using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace OpenViduServerSide.Tests.OpenVidu;

public sealed class OpenViduOptionsTests
{
    // A host with the app's own AddOpenVidu, not the whole app through WebApplicationFactory: a host that fails
    // to start there once surfaced as another exception under a loaded CI run, and what is tested here is the
    // options' validation at start, which this host runs exactly as Program's does.
    [Theory]
    [InlineData("OpenVidu:Url", "", "OpenVidu:Url is missing")]
    [InlineData("OpenVidu:Url", "localhost:4443", "OpenVidu:Url must be an absolute http or https URL")]
    [InlineData("OpenVidu:Secret", "", "OpenVidu:Secret is missing")]
    [InlineData("OpenVidu:Timeout", "00:00:00", "OpenVidu:Timeout must be between")]
    public async Task The_app_refuses_to_start_and_names_the_bad_setting(string key, string value, string expected)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OpenVidu:Url"] = "http://127.0.0.1:9",
            ["OpenVidu:Secret"] = "MY_SECRET",
            [key] = value,
        });
        builder.Services.AddLogging();
        builder.AddOpenVidu();
        using var host = builder.Build();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync(TestContext.Current.CancellationToken));

        // The host aggregates every failed validation; each names the setting.
        var failures = error is AggregateException aggregate ? aggregate.InnerExceptions : [error];
        Assert.All(failures, e => Assert.Contains(expected, Assert.IsType<OptionsValidationException>(e).Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Good_settings_start()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OpenVidu:Url"] = "http://127.0.0.1:9",
            ["OpenVidu:Secret"] = "MY_SECRET",
        });
        builder.Services.AddLogging();
        builder.AddOpenVidu();
        using var host = builder.Build();

        await host.StartAsync(TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }
}
