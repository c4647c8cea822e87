using System.ComponentModel.DataAnnotations;

namespace OpenViduServerSide.Features.Directory;

/// <summary>
/// Bounds on minting, bound from the <c>Calls</c> section and validated at start. A minted connection that is never used
/// ("pending") costs memory here and a slot at OpenVidu, which keeps pending tokens of an active session forever
/// (contract §1.6): these limits keep a script with a valid account from filling either.
/// </summary>
public sealed class CallLimits
{
    public const string Section = "Calls";

    /// <summary>Unused connections one user may hold at once, in every call together.</summary>
    [Range(1, 10_000, ErrorMessage = "The setting Calls:MaxPendingPerUser must be between 1 and 10000.")]
    public int MaxPendingPerUser { get; set; } = 10;

    /// <summary>Unused connections one call may hold at once.</summary>
    [Range(1, 100_000, ErrorMessage = "The setting Calls:MaxPendingPerSession must be between 1 and 100000.")]
    public int MaxPendingPerSession { get; set; } = 200;

    /// <summary>
    /// How long a minted connection may stay unused before it is revoked at OpenVidu and dropped here. The call page uses
    /// its token within seconds; an API client has this long.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "1.00:00:00", ErrorMessage = "The setting Calls:PendingLifetime must be between 5 s and 1 day.")]
    public TimeSpan PendingLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Connections one user may mint per minute (page and API together); the rest are refused until the minute passes.</summary>
    [Range(1, 100_000, ErrorMessage = "The setting Calls:MintsPerUserPerMinute must be between 1 and 100000.")]
    public int MintsPerUserPerMinute { get; set; } = 60;
}
