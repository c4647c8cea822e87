using Microsoft.Extensions.Options;
using OpenViduServerSide.ScaleOut;

namespace OpenViduServerSide.Features.Directory;

/// <summary>
/// How many connections each user may still mint this minute (<see cref="CallLimits.MintsPerUserPerMinute"/>), for the
/// page and the API alike: the API's HTTP rate limit cannot see joins made through a Blazor circuit. Fixed one-minute
/// windows in the shared counters (<see cref="IRateWindows"/>): across the deployment's instances with Redis, else in
/// memory on the app's clock.
/// </summary>
public sealed class MintBudget(IOptions<CallLimits> limits, IRateWindows windows)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>Takes one mint from the user's budget; not taken (and nothing taken) when it is spent, with the wait until it refills.</summary>
    public ValueTask<WindowTake> TryTakeAsync(string userName) =>
        windows.TryTakeAsync($"mint:user:{userName}", limits.Value.MintsPerUserPerMinute, Window);
}
