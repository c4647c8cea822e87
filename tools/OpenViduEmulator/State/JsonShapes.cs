using System.Text.Json.Nodes;

namespace OpenViduEmulator.State;

/// <summary>The REST and RPC JSON shapes, field order and nulls as OpenVidu 2.32.2 writes them (contract §1.3, §1.4, §3.2).</summary>
internal static class JsonShapes
{
    public static JsonObject DefaultRecordingProperties() => new()
    {
        ["name"] = "",
        ["hasAudio"] = true,
        ["hasVideo"] = true,
        ["outputMode"] = "COMPOSED",
        ["recordingLayout"] = "BEST_FIT",
        ["resolution"] = "1280x720",
        ["frameRate"] = 25,
        ["shmSize"] = 536870912,
    };

    public static JsonObject Session(EmulatedSession session, bool pendingConnections, bool webRtcStats)
    {
        var connections = session.Connections.Where(c => pendingConnections || c.IsActive).ToList();
        return new JsonObject
        {
            ["id"] = session.Id,
            ["object"] = "session",
            ["sessionId"] = session.Id,
            ["createdAt"] = session.CreatedAt,
            ["recording"] = session.Recording is not null,
            ["broadcasting"] = false,
            ["mediaMode"] = session.MediaMode,
            ["recordingMode"] = session.RecordingMode,
            ["defaultRecordingProperties"] = session.DefaultRecordingProperties.DeepClone(),
            ["customSessionId"] = session.CustomSessionId,
            ["forcedVideoCodec"] = session.ForcedVideoCodec,
            ["allowTranscoding"] = session.AllowTranscoding,
            ["connections"] = Page(connections.Select(c => Connection(c, webRtcStats))),
        };
    }

    public static JsonObject Page(IEnumerable<JsonObject> items)
    {
        var content = new JsonArray([.. items]);
        return new JsonObject { ["numberOfElements"] = content.Count, ["content"] = content };
    }

    public static JsonObject Connection(EmulatedConnection c, bool webRtcStats) => new()
    {
        ["id"] = c.Id,
        ["object"] = "connection",
        ["type"] = "WEBRTC",
        ["status"] = c.IsActive ? "active" : "pending",
        ["connectionId"] = c.Id,
        ["sessionId"] = c.Session.Id,
        ["createdAt"] = c.CreatedAt,
        ["activeAt"] = c.ActiveAt,
        ["location"] = c.Location,
        ["ip"] = c.Ip,
        ["platform"] = c.Platform,
        ["token"] = c.Token,
        ["serverData"] = c.ServerData,
        ["record"] = c.Record,
        ["role"] = c.Role,
        ["kurentoOptions"] = c.KurentoOptions?.DeepClone(),
        ["rtspUri"] = null,
        ["adaptativeBitrate"] = null,
        ["onlyPlayWithSubscribers"] = null,
        ["networkCache"] = null,
        ["clientData"] = c.ClientData,
        ["publishers"] = c.IsActive ? Publishers(c, webRtcStats) : null,
        ["subscribers"] = c.IsActive ? Subscribers(c, webRtcStats) : null,
        ["customIceServers"] = c.CustomIceServers.DeepClone(),
    };

    private static JsonArray Publishers(EmulatedConnection c, bool webRtcStats)
    {
        if (c.Stream is not { } s)
        {
            return [];
        }

        var publisher = new JsonObject
        {
            ["createdAt"] = s.CreatedAt,
            ["streamId"] = s.Id,
            ["mediaOptions"] = new JsonObject
            {
                ["hasAudio"] = s.HasAudio,
                ["audioActive"] = s.AudioActive,
                ["hasVideo"] = s.HasVideo,
                ["videoActive"] = s.VideoActive,
                ["typeOfVideo"] = s.TypeOfVideo,
                ["frameRate"] = s.FrameRate,
                ["videoDimensions"] = s.VideoDimensions,
                ["filter"] = s.Filter.DeepClone(),
            },
        };
        if (webRtcStats)
        {
            publisher["webrtcEndpointName"] = s.Id;
            publisher["localSdp"] = s.SdpAnswer;
            publisher["remoteSdp"] = s.SdpOffer;
        }

        return [publisher];
    }

    private static JsonArray Subscribers(EmulatedConnection c, bool webRtcStats) =>
    [
        .. c.Subscriptions.Select(sub =>
        {
            var json = new JsonObject { ["createdAt"] = sub.CreatedAt, ["streamId"] = sub.StreamId };
            if (webRtcStats)
            {
                json["webrtcEndpointName"] = c.Id + "_" + sub.StreamId;
                json["localSdp"] = sub.SdpAnswer;
                json["remoteSdp"] = sub.SdpOffer;
            }

            return json;
        }),
    ];

    /// <summary>A stream as it appears in joinRoom's <c>value</c> and in <c>participantPublished</c>.</summary>
    public static JsonObject RpcStream(EmulatedStream s) => new()
    {
        ["id"] = s.Id,
        ["createdAt"] = s.CreatedAt,
        ["hasAudio"] = s.HasAudio,
        ["hasVideo"] = s.HasVideo,
        ["audioActive"] = s.AudioActive,
        ["videoActive"] = s.VideoActive,
        ["typeOfVideo"] = s.TypeOfVideo,
        ["frameRate"] = s.FrameRate,
        ["videoDimensions"] = s.VideoDimensions,
        ["filter"] = s.Filter.DeepClone(),
    };

    /// <summary>Another participant as it appears in joinRoom's <c>value</c>.</summary>
    public static JsonObject RpcParticipant(EmulatedConnection c)
    {
        var json = new JsonObject
        {
            ["id"] = c.Id,
            ["createdAt"] = c.ActiveAt ?? c.CreatedAt,
            ["metadata"] = c.Metadata,
        };
        if (c.Stream is not null)
        {
            json["streams"] = new JsonArray(RpcStream(c.Stream));
        }

        return json;
    }

    /// <summary>The Recording object (contract §1.5, S-REST Recording.toJson); <paramref name="url"/> only once it is ready.</summary>
    public static JsonObject Recording(EmulatedRecording r, string? url)
    {
        var json = new JsonObject
        {
            ["id"] = r.Id,
            ["object"] = "recording",
            ["name"] = r.Name,
            ["outputMode"] = r.OutputMode,
        };
        if (r.IsComposedWithVideo)
        {
            json["resolution"] = r.Properties["resolution"]?.DeepClone();
            json["frameRate"] = r.Properties["frameRate"]?.DeepClone();
            json["recordingLayout"] = r.Properties["recordingLayout"]?.DeepClone();
            if ((string?)r.Properties["recordingLayout"] == "CUSTOM")
            {
                json["customLayout"] = r.Properties["customLayout"]?.DeepClone() ?? "";
            }
        }

        json["sessionId"] = r.SessionId;
        json["createdAt"] = r.CreatedAt;
        json["size"] = r.Size;
        json["duration"] = r.Duration;
        json["url"] = url;
        json["hasAudio"] = r.HasAudio;
        json["hasVideo"] = r.HasVideo;
        json["status"] = r.Status;
        return json;
    }
}
