using System.Text.RegularExpressions;

namespace OpenViduServerSide.Features.Directory;

/// <summary>Call names become OpenVidu customSessionIds, which must match [a-zA-Z0-9_-]+ (contract §1.2).</summary>
public static partial class SessionNames
{
    public const int MaxLength = 100;

    public const string Rule = "Use only letters, digits, '-' and '_' (no spaces), at most 100 characters.";

    public static bool IsValid(string? name) => name is { Length: > 0 and <= MaxLength } && Pattern().IsMatch(name);

    [GeneratedRegex(@"^[a-zA-Z0-9_-]+\z")]
    private static partial Regex Pattern();
}
