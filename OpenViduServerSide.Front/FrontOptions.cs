using System.ComponentModel.DataAnnotations;

namespace OpenViduServerSide.Front;

/// <summary>The section <c>Front</c>: the app instances behind the front and how it watches them.</summary>
public sealed class FrontOptions : IValidatableObject
{
    public const string Section = "Front";

    /// <summary>Each instance by a name of its own (the affinity cookie carries it): <c>Front:Instances:app1 = http://app1:8080</c>.</summary>
    public Dictionary<string, string> Instances { get; init; } = [];

    /// <summary>The app's liveness endpoint, asked by the front on every instance.</summary>
    public string HealthPath { get; init; } = "/health";

    /// <summary>How often each instance is asked; an instance is skipped after two failed answers in a row.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan HealthCheckInterval { get; init; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan HealthCheckTimeout { get; init; } = TimeSpan.FromSeconds(2);

    public string AffinityCookieName { get; init; } = ".OpenViduServerSide.Instance";

    /// <summary>
    /// When set, every answer names the instance that gave it in this header (the tests and a person debugging need it;
    /// off by default so the outside does not learn the deployment's shape).
    /// </summary>
    public string? InstanceHeader { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Instances.Count == 0)
        {
            yield return new ValidationResult(
                $"{Section}:Instances names no app instance: add one per instance, e.g. {Section}:Instances:app1 = http://app1:8080.",
                [nameof(Instances)]);
        }

        foreach (var (name, address) in Instances)
        {
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                yield return new ValidationResult(
                    $"{Section}:Instances:{name} is '{address}', which is not an http:// or https:// address.",
                    [nameof(Instances)]);
            }
        }

        if (!HealthPath.StartsWith('/'))
        {
            yield return new ValidationResult($"{Section}:HealthPath must start with '/'.", [nameof(HealthPath)]);
        }
    }
}
