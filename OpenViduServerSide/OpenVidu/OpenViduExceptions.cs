using System.Net;

namespace OpenViduServerSide.OpenVidu;

/// <summary>OpenVidu answered with an error status. <see cref="Exception.Message"/> carries OpenVidu's own message when it sent one.</summary>
public class OpenViduException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
}

/// <summary>OpenVidu could not be reached, or did not answer in time. The message is fit to show to a person.</summary>
public sealed class OpenViduUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
