using System.Text.RegularExpressions;

namespace OpenViduServerSide.Features.Directory;

/// <summary>Call names become OpenVidu customSessionIds, which must match [a-zA-Z0-9_-]+ (contract §1.2).</summary>
public static partial class SessionNames
{
    /// <summary>The longest call name (the history's <c>CallRecord.SessionNameMaxLength</c> column holds it; a test checks both).</summary>
    public const int MaxLength = 100;

    /// <summary>What the join form and the API say for a name that breaks the rule (a test checks it names <see cref="MaxLength"/>).</summary>
    public const string Rule = "Use only letters, digits, '-' and '_' (no spaces), at most 100 characters.";

    public static bool IsValid(string? name) => name is { Length: > 0 and <= MaxLength } && Pattern().IsMatch(name);

    [GeneratedRegex(@"^[a-zA-Z0-9_-]+\z")]
    private static partial Regex Pattern();
}
