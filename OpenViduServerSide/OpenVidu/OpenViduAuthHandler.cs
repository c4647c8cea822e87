using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;

namespace OpenViduServerSide.OpenVidu;

/// <summary>Adds OpenVidu's Basic credentials (OPENVIDUAPP:secret) from options; the secret never leaves the server.</summary>
internal sealed class OpenViduAuthHandler(IOptions<OpenViduOptions> options) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes("OPENVIDUAPP:" + options.Value.Secret));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        return base.SendAsync(request, cancellationToken);
    }
}
