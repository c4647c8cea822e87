namespace OpenViduEmulator.State;

/// <summary>Identifier formats of OpenVidu 2.32 (contract §1.2).</summary>
internal static class Ids
{
    private const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private const string Alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static string NewSessionId() => "ses_" + Random(Upper, 1) + Random(Alphanumeric, 9);

    public static string NewConnectionId() => "con_" + Random(Upper, 1) + Random(Alphanumeric, 9);

    public static string NewTokenId() => "tok_" + Random(Upper, 1) + Random(Alphanumeric, 15);

    public static string NewStreamId(string connectionId, bool hasVideo, string? typeOfVideo)
    {
        var kind = hasVideo && !string.IsNullOrEmpty(typeOfVideo) && typeOfVideo.Length >= 3
            ? typeOfVideo[..3].ToUpperInvariant()
            : hasVideo ? "CAM" : "MIC";
        return $"str_{kind}_{Random(Alphanumeric, 4)}_{connectionId}";
    }

    public static string NewOpaque(int length) => Random(Alphanumeric, length);

    public static string NewHex(int bytes) => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(bytes));

    private static string Random(string alphabet, int length) =>
        string.Create(length, alphabet, static (span, chars) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = chars[System.Security.Cryptography.RandomNumberGenerator.GetInt32(chars.Length)];
            }
        });

    public static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static long lastSessionCreatedAt;

    /// <summary>
    /// A session's creation time, later than every earlier one: OpenVidu's uniqueSessionId is the id and this time, and a
    /// name closed and reopened within one millisecond (which only an in-process emulator manages) must still get two.
    /// </summary>
    public static long NextSessionCreatedAt()
    {
        while (true)
        {
            var last = Interlocked.Read(ref lastSessionCreatedAt);
            var next = Math.Max(NowMs(), last + 1);
            if (Interlocked.CompareExchange(ref lastSessionCreatedAt, next, last) == last)
            {
                return next;
            }
        }
    }
}
