using System.Text.RegularExpressions;

namespace OpenViduServerSide.Features.Chat;

/// <summary>A chat text cut into plain parts and web links, so links can be clickable while every part is rendered as text.</summary>
public static partial class ChatText
{
    public readonly record struct Part(string Text, Uri? Link);

    public static IEnumerable<Part> Parts(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = 0;
        foreach (Match match in WebAddress().Matches(text))
        {
            // Punctuation that ends a sentence is not part of the address ("see https://x.org/a.").
            var address = match.Value.TrimEnd('.', ',', ';', ':', '!', '?', ')', ']', '\'', '"');
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                continue;
            }

            if (match.Index > at)
            {
                yield return new Part(text[at..match.Index], null);
            }

            yield return new Part(address, uri);
            at = match.Index + address.Length;
        }

        if (at < text.Length)
        {
            yield return new Part(text[at..], null);
        }
    }

    [GeneratedRegex(@"https?://[^\s<>""]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WebAddress();
}
