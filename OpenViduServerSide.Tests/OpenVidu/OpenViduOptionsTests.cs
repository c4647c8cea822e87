using Microsoft.Extensions.Options;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.OpenVidu;

public sealed class OpenViduOptionsTests
{
    [Theory]
    [InlineData("OpenVidu:Url", "", "OpenVidu:Url is missing")]
    [InlineData("OpenVidu:Url", "localhost:4443", "OpenVidu:Url must be an absolute http or https URL")]
    [InlineData("OpenVidu:Secret", "", "OpenVidu:Secret is missing")]
    public async Task The_app_refuses_to_start_and_names_the_bad_setting(string key, string value, string expected)
    {
        await using var app = new AppFactory(settings: new Dictionary<string, string?> { [key] = value });

        var error = Assert.ThrowsAny<Exception>(() => app.Server);

        var validation = Flatten(error).OfType<OptionsValidationException>().First();
        Assert.Contains(expected, validation.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<Exception> Flatten(Exception e) =>
        e is AggregateException aggregate
            ? aggregate.InnerExceptions.SelectMany(Flatten)
            : e.InnerException is null ? [e] : [e, .. Flatten(e.InnerException)];
}
