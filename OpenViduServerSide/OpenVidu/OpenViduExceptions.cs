using System.Net;

namespace OpenViduServerSide.OpenVidu;

/// <summary>OpenVidu answered with an error status. <see cref="Exception.Message"/> carries OpenVidu's own message when it sent one.</summary>
public class OpenViduException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;

    /// <summary>What the person who asked is told: pages and moderation say it the same way.</summary>
    public string UserMessage => $"The video server refused: {Message}";
}

/// <summary>OpenVidu could not be reached, or did not answer in time. The message is fit to show to a person.</summary>
public sealed class OpenViduUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
