using System.Globalization;
using System.Text;
using OpenViduEmulator.State;

namespace OpenViduEmulator.Rpc;

/// <summary>
/// Synthesises an SDP answer from a browser's offer, with no media server behind it (contract §3.7): same
/// BUNDLE group, same m-sections and codecs, fresh ICE credentials, a well-formed DTLS fingerprint,
/// <c>a=setup:active</c> and the reversed direction. No candidates are ever sent, so ICE stays "new".
/// </summary>
internal static class SdpAnswer
{
    public static string Build(string offer)
    {
        var lines = offer.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var ufrag = Ids.NewOpaque(8);
        var pwd = Ids.NewOpaque(24);
        var fingerprint = string.Join(':', Enumerable.Range(0, 32).Select(i => Ids.NewHex(1)));
        var sessionVersion = Random.Shared.NextInt64(1_000_000_000, 9_000_000_000).ToString(CultureInfo.InvariantCulture);

        var sb = new StringBuilder();
        Append(sb, "v=0");
        Append(sb, $"o=- {sessionVersion} 2 IN IP4 127.0.0.1");
        Append(sb, "s=-");
        Append(sb, "t=0 0");

        var firstMedia = Array.FindIndex(lines, l => l.StartsWith("m=", StringComparison.Ordinal));
        var sessionLines = firstMedia < 0 ? lines : lines[..firstMedia];
        foreach (var line in sessionLines.Where(l => l.StartsWith("a=group:", StringComparison.Ordinal)))
        {
            Append(sb, line);
        }

        Append(sb, "a=msid-semantic: WMS emulator");
        if (firstMedia < 0)
        {
            return sb.ToString();
        }

        var sections = new List<string[]>();
        var start = firstMedia;
        for (var i = firstMedia + 1; i <= lines.Length; i++)
        {
            if (i == lines.Length || lines[i].StartsWith("m=", StringComparison.Ordinal))
            {
                sections.Add(lines[start..i]);
                start = i;
            }
        }

        var index = 0;
        foreach (var section in sections)
        {
            AppendSection(sb, section, ufrag, pwd, fingerprint, index++);
        }

        return sb.ToString();
    }

    private static void AppendSection(StringBuilder sb, string[] section, string ufrag, string pwd, string fingerprint, int index)
    {
        var mLine = section[0].Split(' ');
        var kind = mLine[0][2..];
        var rejected = mLine.Length > 1 && mLine[1] == "0";
        var mid = section.FirstOrDefault(l => l.StartsWith("a=mid:", StringComparison.Ordinal));

        mLine[1] = rejected ? "0" : "9";
        Append(sb, string.Join(' ', mLine));
        Append(sb, "c=IN IP4 0.0.0.0");
        if (rejected)
        {
            if (mid is not null)
            {
                Append(sb, mid);
            }

            return;
        }

        Append(sb, "a=rtcp:9 IN IP4 0.0.0.0");
        Append(sb, "a=ice-ufrag:" + ufrag);
        Append(sb, "a=ice-pwd:" + pwd);
        Append(sb, "a=fingerprint:sha-256 " + fingerprint);
        Append(sb, "a=setup:active");
        if (mid is not null)
        {
            Append(sb, mid);
        }

        if (kind == "application")
        {
            foreach (var line in section.Where(l => l.StartsWith("a=sctp-port:", StringComparison.Ordinal) || l.StartsWith("a=max-message-size:", StringComparison.Ordinal)))
            {
                Append(sb, line);
            }

            return;
        }

        var direction = section.FirstOrDefault(l => l is "a=sendonly" or "a=recvonly" or "a=sendrecv" or "a=inactive") ?? "a=sendrecv";
        var answerDirection = direction switch
        {
            "a=sendonly" => "a=recvonly",
            "a=recvonly" => "a=sendonly",
            _ => direction,
        };
        Append(sb, answerDirection);
        var sends = answerDirection is "a=sendonly" or "a=sendrecv";
        var msid = $"emulator-{kind}-{index}";
        if (sends)
        {
            Append(sb, $"a=msid:emulator {msid}");
        }

        Append(sb, "a=rtcp-mux");
        if (section.Contains("a=rtcp-rsize"))
        {
            Append(sb, "a=rtcp-rsize");
        }

        foreach (var line in section.Where(l => l.StartsWith("a=rtpmap:", StringComparison.Ordinal)
            || l.StartsWith("a=fmtp:", StringComparison.Ordinal) || l.StartsWith("a=rtcp-fb:", StringComparison.Ordinal)))
        {
            Append(sb, line);
        }

        if (sends)
        {
            var ssrc = (uint)Random.Shared.Next(1, int.MaxValue);
            Append(sb, $"a=ssrc:{ssrc} cname:emulator");
            Append(sb, $"a=ssrc:{ssrc} msid:emulator {msid}");
        }
    }

    private static void Append(StringBuilder sb, string line) => sb.Append(line).Append("\r\n");
}
