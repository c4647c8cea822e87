namespace OpenViduEmulator.Media;

/// <summary>
/// The fake plane's recording file: an EBML/Matroska document with DocType "webm", a segment info carrying the
/// duration and one VP8 video track, and no frames. Players and parsers accept it; it simply shows nothing.
/// </summary>
internal static class PlaceholderWebm
{
    public static byte[] Create(double durationSeconds)
    {
        var ebmlHeader = Element(0x1A45DFA3,
        [
            .. Element(0x4286, Uint(1)),            // EBMLVersion
            .. Element(0x42F7, Uint(1)),            // EBMLReadVersion
            .. Element(0x42F2, Uint(4)),            // EBMLMaxIDLength
            .. Element(0x42F3, Uint(8)),            // EBMLMaxSizeLength
            .. Element(0x4282, "webm"u8.ToArray()), // DocType
            .. Element(0x4287, Uint(2)),            // DocTypeVersion
            .. Element(0x4285, Uint(2)),            // DocTypeReadVersion
        ]);
        var info = Element(0x1549A966,
        [
            .. Element(0x2AD7B1, Uint(1_000_000)),                           // TimecodeScale: 1 ms
            .. Element(0x4D80, "OpenViduEmulator"u8.ToArray()),              // MuxingApp
            .. Element(0x5741, "OpenViduEmulator"u8.ToArray()),              // WritingApp
            .. Element(0x4489, Float(Math.Max(0, durationSeconds) * 1000)), // Duration in TimecodeScale units
        ]);
        var track = Element(0xAE,
        [
            .. Element(0xD7, Uint(1)),                    // TrackNumber
            .. Element(0x73C5, Uint(1)),                  // TrackUID
            .. Element(0x83, Uint(1)),                    // TrackType: video
            .. Element(0x86, "V_VP8"u8.ToArray()),        // CodecID
            .. Element(0xE0, [.. Element(0xB0, Uint(640)), .. Element(0xBA, Uint(480))]), // Video: PixelWidth, PixelHeight
        ]);
        var segment = Element(0x18538067, [.. info, .. Element(0x1654AE6B, track)]);
        return [.. ebmlHeader, .. segment];
    }

    private static byte[] Element(uint id, byte[] payload)
    {
        var idBytes = id switch
        {
            <= 0xFF => new[] { (byte)id },
            <= 0xFFFF => [(byte)(id >> 8), (byte)id],
            <= 0xFFFFFF => [(byte)(id >> 16), (byte)(id >> 8), (byte)id],
            _ => [(byte)(id >> 24), (byte)(id >> 16), (byte)(id >> 8), (byte)id],
        };
        // Sizes as 8-byte vints (0x01 marker then 7 bytes): simple and always valid.
        var size = new byte[8];
        size[0] = 0x01;
        var length = (ulong)payload.Length;
        for (var i = 7; i >= 1; i--)
        {
            size[i] = (byte)length;
            length >>= 8;
        }

        return [.. idBytes, .. size, .. payload];
    }

    private static byte[] Uint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            bytes.Insert(0, (byte)value);
            value >>= 8;
        }
        while (value > 0);
        return [.. bytes];
    }

    private static byte[] Float(double value)
    {
        var bytes = BitConverter.GetBytes(value);
        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(bytes);
        }

        return bytes;
    }
}
