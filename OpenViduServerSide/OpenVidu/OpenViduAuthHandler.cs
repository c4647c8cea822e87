using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;

namespace OpenViduServerSide.OpenVidu;

/// <summary>Adds OpenVidu's Basic credentials (OPENVIDUAPP:secret) from options; the secret never leaves the server.</summary>
internal sealed class OpenViduAuthHandler(IOptions<OpenViduOptions> options) : DelegatingHandler
{
    // Built once per handler instance (the factory recycles handlers every few minutes), not on every call to OpenVidu;
    // the header object is only read after this, so requests may share it.
    private AuthenticationHeaderValue? header;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = header ??= new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("OPENVIDUAPP:" + options.Value.Secret)));
        return base.SendAsync(request, cancellationToken);
    }
}
