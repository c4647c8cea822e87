using System.Text.RegularExpressions;

namespace OpenViduServerSide.Tests.Infrastructure;

/// <summary>
/// Every minted connection's data carries a one-off marker (so the client can revoke a connection OpenVidu created after
/// a timeout); tests that compare the data the app chose read it without that marker.
/// </summary>
public static partial class MintMarker
{
    public static string? Strip(string? serverData) => serverData is null ? null : Marker().Replace(serverData, "");

    [GeneratedRegex(",?\"mint\":\"[0-9a-f]{32}\"")]
    private static partial Regex Marker();
}
