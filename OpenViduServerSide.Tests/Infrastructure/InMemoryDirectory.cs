using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenViduServerSide.Features.Calls;
using OpenViduServerSide.Features.Directory;

namespace OpenViduServerSide.Tests.Infrastructure;

/// <summary>A <see cref="SessionDirectory"/> for tests that only feed it events and read it: it cannot mint (no OpenVidu, no Identity).</summary>
public static class InMemoryDirectory
{
    public static SessionDirectory Create(TimeProvider? clock = null, CallLimits? limits = null)
    {
        clock ??= TimeProvider.System;
        var options = Options.Create(limits ?? new CallLimits());
        return new SessionDirectory(null!, null!, new MintBudget(options, clock), options, clock, NullLogger<SessionDirectory>.Instance);
    }
}
