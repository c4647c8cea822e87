using System.Text.Json.Nodes;
using OpenViduEmulator.Rpc;

namespace OpenViduEmulator.Media;

/// <summary>No media at all: every offer gets a synthesised answer (contract §3.7), candidates are swallowed.</summary>
internal sealed class FakeSdpMediaPlane : IMediaPlane
{
    public string MediaServer => "kurento";

    public bool ServerOffersToSubscribers => false;

    public JsonArray? IceServers => null;

    public Task<string> PublishAsync(string sessionId, string connectionId, string sdpOffer) => Task.FromResult(SdpAnswer.Build(sdpOffer));

    public Task<string> SubscribeWithOfferAsync(string sessionId, string subscriberId, string publisherId, string sdpOffer) =>
        Task.FromResult(SdpAnswer.Build(sdpOffer));

    public Task<string> PrepareSubscribeAsync(string sessionId, string subscriberId, string publisherId, bool reconnect) =>
        throw new NotSupportedException("The fake SDP plane answers subscribers' offers (Kurento flow)");

    public Task StartSubscribeAsync(string subscriberId, string publisherId, string sdpAnswer) => Task.CompletedTask;

    public Task<string?> ReconnectStreamAsync(string connectionId, string? publisherId, string sdp) => Task.FromResult<string?>(SdpAnswer.Build(sdp));

    public Task AddIceCandidateAsync(string connectionId, string endpointName, JsonObject candidate) => Task.CompletedTask;

    public void Unpublished(string publisherId)
    {
    }

    public void Unsubscribed(string subscriberId, string publisherId)
    {
    }

    public void Left(string connectionId)
    {
    }

    public void SessionClosed(string sessionId)
    {
    }

    public Task StartRecordingAsync(string sessionId, string folder) => Task.CompletedTask;

    /// <summary>No media to record: a small valid WebM (header, one VP8 track, no frames) stands in for the file.</summary>
    public async Task<string?> StopRecordingAsync(string sessionId, string folder, string name, double durationSeconds)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name + ".webm");
        await File.WriteAllBytesAsync(path, PlaceholderWebm.Create(durationSeconds));
        return path;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
