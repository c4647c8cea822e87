using System.Text.Json;

namespace OpenViduServerSide.Features.Directory;

/// <summary>
/// A feature that wants OpenVidu's webhook events as well (e.g. <c>recordingStatusChanged</c>), registered in DI.
/// The directory owns the webhook endpoint but must not know the features that read it, so they come to it this way.
/// Called for every authentic event after the directory applied it, before OpenVidu gets its 200: copy what is needed
/// (the body is disposed afterwards) and do any slow work in the background.
/// </summary>
public interface IOpenViduEventListener
{
    void OnEvent(string name, JsonElement body);

    /// <summary>
    /// The same for an event OpenVidu posted to another instance of this deployment (every instance hears every event):
    /// update what this instance keeps in memory, but leave writes to the shared database to the instance that got it.
    /// </summary>
    void OnEventAtAnotherInstance(string name, JsonElement body)
    {
    }
}
