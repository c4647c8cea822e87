using System.Text.RegularExpressions;

namespace OpenViduServerSide.Tests.Architecture;

/// <summary>
/// The dependency rule of docs/architecture.md ("Who may use whom"), read from the app's source: a file depends on an
/// area when it names its namespace (a <c>using</c>, a Razor <c>@using</c>, also through an <c>_Imports.razor</c> above
/// it, an <c>@inject</c> or any fully qualified name). An area is a folder of the app and the namespace of the same name.
/// </summary>
public sealed partial class DependencyRuleTests
{
    /// <summary>Area (folder) → the areas its files must not name.</summary>
    public static TheoryData<string, string> Forbidden => new()
    {
        { "OpenVidu", "Features" },
        { "Data", "Features" },
        { "ScaleOut", "Features" },
        { "ScaleOut", "Data" },
        { "Features/Directory", "Features/Calls" },
        { "Features/Directory", "Features/Moderation" },
        { "Features/Directory", "Features/History" },
        { "Features/Directory", "Features/Api" },
        { "Features/Directory", "Features/Admin" },
        // The call page shows Moderation's controls; Moderation knows calls only through the directory.
        { "Features/Moderation", "Features/Calls" },
    };

    [Theory]
    [MemberData(nameof(Forbidden))]
    public void An_area_does_not_depend_on_an_area_it_must_not(string area, string forbidden)
    {
        var root = AppSourceRoot();
        var files = SourceFiles(Path.Combine(root, area)).ToList();
        Assert.NotEmpty(files);

        var offenders = files
            .Where(file => NamespacesNamedBy(file, root).Any(n => Names(n, forbidden)))
            .Select(file => Path.GetRelativePath(root, file))
            .ToList();

        Assert.True(offenders.Count == 0, $"{area} must not depend on {forbidden} (docs/architecture.md), but these name it: {string.Join(", ", offenders)}");
    }

    [Fact]
    public void No_two_folders_depend_on_each_other_even_through_others()
    {
        var root = AppSourceRoot();
        var areas = new List<string> { "OpenVidu", "Data", "ScaleOut" };
        areas.AddRange(System.IO.Directory.GetDirectories(Path.Combine(root, "Features")).Select(d => Path.GetRelativePath(root, d).Replace('\\', '/')));
        var uses = areas.ToDictionary(a => a, a => areas
            .Where(other => other != a && SourceFiles(Path.Combine(root, a)).Any(file => NamespacesNamedBy(file, root).Any(n => Names(n, other))))
            .ToList());

        var cycles = areas.SelectMany(a => uses[a].Where(b => Reaches(uses, b, a)).Select(b => $"{a} → {b} → … → {a}")).ToList();

        Assert.True(cycles.Count == 0, $"Folders that depend on each other: {string.Join("; ", cycles)}");
    }

    private static bool Names(string @namespace, string area)
    {
        var areaNamespace = "OpenViduServerSide." + area.Replace('/', '.');
        return @namespace == areaNamespace || @namespace.StartsWith(areaNamespace + ".", StringComparison.Ordinal);
    }

    private static bool Reaches(Dictionary<string, List<string>> uses, string from, string to)
    {
        var seen = new HashSet<string>();
        var next = new Stack<string>([from]);
        while (next.TryPop(out var area))
        {
            if (area == to)
            {
                return true;
            }

            if (seen.Add(area))
            {
                uses[area].ForEach(next.Push);
            }
        }

        return false;
    }

    /// <summary>The app's namespaces a file names, with those of the <c>_Imports.razor</c> files that apply to a Razor file.</summary>
    private static IEnumerable<string> NamespacesNamedBy(string file, string root)
    {
        var texts = new List<string> { File.ReadAllText(file) };
        if (file.EndsWith(".razor", StringComparison.Ordinal))
        {
            for (var folder = Path.GetDirectoryName(file); folder is not null && folder.StartsWith(root, StringComparison.Ordinal); folder = Path.GetDirectoryName(folder))
            {
                var imports = Path.Combine(folder, "_Imports.razor");
                if (File.Exists(imports) && imports != file)
                {
                    texts.Add(File.ReadAllText(imports));
                }
            }
        }

        return texts.SelectMany(text => AppNamespace().Matches(text).Select(m => m.Value.TrimEnd('.')));
    }

    private static IEnumerable<string> SourceFiles(string folder) =>
        System.IO.Directory.Exists(folder)
            ? System.IO.Directory.EnumerateFiles(folder, "*.*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            : [];

    private static string AppSourceRoot() => Path.Combine(Repository.Root(), "OpenViduServerSide");

    // "OpenViduServerSide.Features.Calls", "OpenViduServerSide.OpenVidu", …: the app's name and its capitalised parts.
    [GeneratedRegex(@"(?<![\w.])OpenViduServerSide(\.[A-Z]\w*)+")]
    private static partial Regex AppNamespace();
}
