using System.Globalization;
using System.Text.RegularExpressions;

namespace OpenViduServerSide.Tests.Architecture;

/// <summary>
/// Log event ids are unique across the app and each lies in its area's range, as the table "Log event ids, by area"
/// in docs/architecture.md gives them (rows <c>| 1000–1099 | `Data/` | … |</c>).
/// </summary>
public sealed partial class EventIdTests
{
    [Fact]
    public void Every_event_id_is_unique_and_in_the_range_of_its_folder()
    {
        var repository = Repository.Root();
        var app = Path.Combine(repository, "OpenViduServerSide");
        var ranges = RangeRow().Matches(File.ReadAllText(Path.Combine(repository, "docs", "architecture.md")))
            .Select(m => (From: Parse(m.Groups["from"].Value), To: Parse(m.Groups["to"].Value), Folder: m.Groups["folder"].Value))
            .ToList();
        Assert.NotEmpty(ranges);

        var ids = System.IO.Directory.EnumerateFiles(app, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => EventId().Matches(File.ReadAllText(f))
                .Select(m => (Id: Parse(m.Groups[1].Value), File: Path.GetRelativePath(app, f).Replace('\\', '/'))))
            .ToList();
        Assert.NotEmpty(ids);

        var duplicates = ids.GroupBy(i => i.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key} ({string.Join(", ", g.Select(i => i.File))})").ToList();
        var outOfRange = ids.Where(i => !ranges.Any(r => i.Id >= r.From && i.Id <= r.To && i.File.StartsWith(r.Folder, StringComparison.Ordinal)))
            .Select(i => $"{i.Id} in {i.File}").ToList();

        Assert.True(duplicates.Count == 0, $"Event ids used twice: {string.Join("; ", duplicates)}");
        Assert.True(outOfRange.Count == 0, $"Event ids outside their folder's range in docs/architecture.md: {string.Join("; ", outOfRange)}");
    }

    private static int Parse(string number) => int.Parse(number, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"EventId = (\d+)")]
    private static partial Regex EventId();

    [GeneratedRegex(@"^\| (?<from>\d+)–(?<to>\d+) \| `(?<folder>[^`]+)` \|", RegexOptions.Multiline)]
    private static partial Regex RangeRow();
}
