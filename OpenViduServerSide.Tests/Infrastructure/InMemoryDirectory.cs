using Microsoft.Extensions.Logging.Abstractions;
using OpenViduServerSide.Features.Directory;

namespace OpenViduServerSide.Tests.Infrastructure;

/// <summary>A <see cref="CallDirectory"/> for tests that only feed it events and read it (it does no I/O).</summary>
public static class InMemoryDirectory
{
    public static CallDirectory Create(TimeProvider? clock = null) =>
        new(clock ?? TimeProvider.System, NullLogger<CallDirectory>.Instance);
}
