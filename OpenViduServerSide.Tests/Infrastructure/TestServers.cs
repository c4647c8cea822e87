namespace OpenViduServerSide.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL and Redis that tools/with-test-servers.sh starts for a test run (./test.sh does; for a targeted run:
/// <c>tools/in-media-netns.sh tools/with-test-servers.sh dotnet test …</c>). A test that needs one fails, with this
/// sentence, when it is not there: it is never skipped.
/// </summary>
public static class TestServers
{
    /// <summary>host:port of the run's Redis.</summary>
    public static string Redis => Variable("OVSS_TEST_REDIS");

    private static string Variable(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: run the tests through tools/with-test-servers.sh (./test.sh does), which starts PostgreSQL and Redis for them.");
}
