using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenViduServerSide.OpenVidu;

namespace OpenViduServerSide.Tests.Infrastructure;

/// <summary>An <see cref="OpenViduClient"/> whose every request gets a canned answer, for component tests.</summary>
internal static class StubOpenVidu
{
    public const string RecordingOff = """{"VERSION":"2.32.2","OPENVIDU_PUBLICURL":"http://stub","OPENVIDU_RECORDING":false,"OPENVIDU_WEBHOOK":false}""";

    public const string RecordingOn = """{"VERSION":"2.32.2","OPENVIDU_PUBLICURL":"http://stub","OPENVIDU_RECORDING":true,"OPENVIDU_WEBHOOK":false}""";

    public static OpenViduClient Client(Func<HttpRequestMessage, (HttpStatusCode Status, string Body)> answer) =>
        new(new HttpClient(new Handler(answer)) { BaseAddress = new Uri("http://stub/openvidu/api/") },
            Options.Create(new OpenViduOptions { Url = "http://stub", Secret = "s" }), NullLogger<OpenViduClient>.Instance);

    private sealed class Handler(Func<HttpRequestMessage, (HttpStatusCode Status, string Body)> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var (status, body) = answer(request);
            return Task.FromResult(new HttpResponseMessage(status)
            {
                RequestMessage = request,
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            });
        }
    }
}
