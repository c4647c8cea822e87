using System.Text.Json.Nodes;
using OpenViduEmulator.Rpc;

namespace OpenViduEmulator.State;

// Mutable server-side state. Every member is read and written only under EmulatorEngine's lock.

internal sealed class EmulatedSession(string id, string customSessionId, long createdAt)
{
    public string Id { get; } = id;
    public string CustomSessionId { get; } = customSessionId;
    public long CreatedAt { get; } = createdAt;
    public string UniqueSessionId => $"{Id}_{CreatedAt}";
    public string MediaMode { get; init; } = "ROUTED";
    public string RecordingMode { get; init; } = "MANUAL";
    public string ForcedVideoCodec { get; init; } = "MEDIA_SERVER_PREFERRED";
    public bool AllowTranscoding { get; init; }
    public JsonObject DefaultRecordingProperties { get; init; } = [];

    /// <summary>True once the first participant joined (contract §1.6 rule 2).</summary>
    public bool Active { get; set; }

    /// <summary>All connections, pending and active, in creation order.</summary>
    public List<EmulatedConnection> Connections { get; } = [];

    public IEnumerable<EmulatedConnection> ActiveConnections => Connections.Where(c => c.IsActive);

    public EmulatedConnection? FindConnection(string connectionId) =>
        Connections.Find(c => c.Id == connectionId);

    /// <summary>The recording in progress (starting or started), null when the session is not being recorded.</summary>
    public EmulatedRecording? Recording { get; set; }
}

internal sealed class EmulatedConnection(EmulatedSession session, string id, string tokenId, string token, long createdAt)
{
    public EmulatedSession Session { get; } = session;
    public string Id { get; } = id;
    public string TokenId { get; } = tokenId;
    public string Token { get; } = token;
    public long CreatedAt { get; } = createdAt;
    public string ServerData { get; init; } = "";
    public bool Record { get; init; } = true;
    public string Role { get; init; } = "PUBLISHER";
    public JsonObject? KurentoOptions { get; init; }
    public JsonArray CustomIceServers { get; init; } = [];

    public bool IsActive { get; set; }
    public long? ActiveAt { get; set; }
    public string? Location { get; set; }
    public string? Ip { get; set; }
    public string? Platform { get; set; }
    public string? ClientData { get; set; }

    public EmulatedStream? Stream { get; set; }
    public List<EmulatedSubscription> Subscriptions { get; } = [];

    /// <summary>The WebSocket of an active participant, null once it left or lost it.</summary>
    public RpcPeer? Peer { get; set; }

    /// <summary>The JSON-RPC session id given in joinRoom's result, used by <c>connect</c> after a reconnection.</summary>
    public string? RpcSessionId { get; set; }

    /// <summary><c>clientData%/%serverData</c>, or either part alone when the other is empty.</summary>
    public string Metadata
    {
        get
        {
            var client = ClientData ?? "";
            if (client.Length == 0)
            {
                return ServerData;
            }

            return ServerData.Length == 0 ? client : client + "%/%" + ServerData;
        }
    }
}

internal sealed class EmulatedStream(string id, long createdAt)
{
    public string Id { get; } = id;
    public long CreatedAt { get; } = createdAt;
    public bool HasAudio { get; init; }
    public bool HasVideo { get; init; }
    public bool AudioActive { get; set; }
    public bool VideoActive { get; set; }
    public string? TypeOfVideo { get; init; }
    public int FrameRate { get; init; }
    public string? VideoDimensions { get; set; }
    public JsonObject Filter { get; init; } = [];
    public string SdpOffer { get; init; } = "";
    public string SdpAnswer { get; init; } = "";
}

internal sealed record EmulatedSubscription(string StreamId, string PublisherConnectionId, long CreatedAt, string SdpOffer, string SdpAnswer);
