using System.ComponentModel.DataAnnotations;

namespace OpenViduServerSide.OpenVidu;

/// <summary>Bound from the <c>OpenVidu</c> section and validated at start, so a missing setting stops the app with its name.</summary>
public sealed class OpenViduOptions
{
    public const string Section = "OpenVidu";

    [Required(ErrorMessage = "The setting OpenVidu:Url is missing (environment: OpenVidu__Url). Set it to OpenVidu's base URL, e.g. http://localhost:4443.")]
    public string Url { get; set; } = "";

    [Required(ErrorMessage = "The setting OpenVidu:Secret is missing (environment: OpenVidu__Secret). Set it to OpenVidu's OPENVIDU_SECRET.")]
    public string Secret { get; set; } = "";

    /// <summary>Trust any certificate OpenVidu presents. For development installs with a self-signed certificate only.</summary>
    public bool AcceptSelfSignedCertificate { get; set; }

    /// <summary>How long one call to OpenVidu may take, retries included, before the user is told it is unreachable.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00", ErrorMessage = "The setting OpenVidu:Timeout must be between 0.1 s and 5 min.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public WebhookOptions Webhook { get; set; } = new();

    public Uri BaseUri => new(Url.TrimEnd('/') + "/", UriKind.Absolute);
}

/// <summary>The header OpenVidu's webhook POSTs must carry (OpenVidu signs nothing; OPENVIDU_WEBHOOK_HEADERS sets it there).</summary>
public sealed class WebhookOptions
{
    public string? HeaderName { get; set; }

    public string? HeaderValue { get; set; }
}
