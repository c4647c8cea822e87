using System.ComponentModel.DataAnnotations;

namespace OpenViduServerSide.ScaleOut;

/// <summary>Section <c>ScaleOut</c>. Redis itself is <c>ConnectionStrings:Redis</c>.</summary>
public sealed class ScaleOutOptions
{
    public const string Section = "ScaleOut";

    /// <summary>
    /// The instances with the same Redis and the same name are one deployment: the prefix of every Redis channel and key
    /// the app uses, so two deployments (or two test runs) can share one Redis.
    /// </summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "ScaleOut:Deployment is 1 to 64 letters, digits, '.', '_' or '-'.")]
    public string Deployment { get; set; } = "openvidu-server-side";
}
