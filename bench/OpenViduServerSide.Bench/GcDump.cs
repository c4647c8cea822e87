using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

/// <summary>
/// The app's live managed heap by type, from <c>dotnet-gcdump</c> (the repository's tool manifest). Collecting a gcdump
/// induces a full blocking GC first, so the figure is what is retained, not what is waiting for a collection.
/// </summary>
internal sealed partial record HeapSnapshot(string Label, long TotalBytes, IReadOnlyDictionary<string, (long Bytes, long Count)> Types)
{
    public static async Task<HeapSnapshot> CollectAsync(int pid, string label, string folder)
    {
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, label + ".gcdump");
        await RunToolAsync("collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "-o", file);
        var report = await RunToolAsync("report", file);
        await File.WriteAllTextAsync(Path.ChangeExtension(file, ".txt"), report);
        var types = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        long total = 0;
        foreach (var line in report.Split('\n'))
        {
            // "      1,234,567  GC Heap bytes" then "  bytes per object  count  type" rows.
            if (TotalLine().Match(line) is { Success: true } t)
            {
                total = long.Parse(t.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
            }
            else if (TypeLine().Match(line) is { Success: true } m)
            {
                var name = SizeBucket().Replace(m.Groups[3].Value, "").Trim();
                // The report's first column is the size of one object of the row (a mean), not the row's total.
                var count = long.Parse(m.Groups[2].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
                var bytes = count * long.Parse(m.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
                types[name] = types.TryGetValue(name, out var had) ? (had.Item1 + bytes, had.Item2 + count) : (bytes, count);
            }
        }

        if (total == 0)
        {
            total = types.Values.Sum(v => v.Item1);
        }

        return new HeapSnapshot(label, total, types);
    }

    /// <summary>Prints the growth from <paramref name="before"/> divided by <paramref name="pages"/>, largest first.</summary>
    public void PrintGrowthOver(HeapSnapshot before, int pages, int top = 30)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"managed heap {Label}: {TotalBytes / 1024.0 / 1024:F1} MB, +{(TotalBytes - before.TotalBytes) / 1024.0 / pages:F0} kB per page over {before.Label}"));
        var growth = Types
            .Select(t => (Type: t.Key, Bytes: t.Value.Bytes - (before.Types.TryGetValue(t.Key, out var b) ? b.Bytes : 0), Count: t.Value.Count - (before.Types.TryGetValue(t.Key, out var c) ? c.Count : 0)))
            .OrderByDescending(t => t.Bytes)
            .Take(top);
        foreach (var (type, bytes, count) in growth)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {bytes / (double)pages,10:F0} B/page {count / (double)pages,8:F1} obj/page  {type}"));
        }
    }

    private static async Task<string> RunToolAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", ["dotnet-gcdump", .. arguments])
        {
            WorkingDirectory = RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet-gcdump.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(limit.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet-gcdump {arguments[0]} failed ({process.ExitCode}): {await error}{await output} (run 'dotnet tool restore' in the repository)");
        }

        return await output;
    }

    private static string RepositoryRoot()
    {
        var root = AppProcess.RepositoryRoot();

        return root;
    }

    [GeneratedRegex(@"^\s*([\d,]+)\s+GC Heap bytes", RegexOptions.IgnoreCase)]
    private static partial Regex TotalLine();

    // "(Bytes > 10K)": the report splits a type by object size; the diff wants one row per type.
    [GeneratedRegex(@"\s*\(Bytes > [^)]*\)")]
    private static partial Regex SizeBucket();

    [GeneratedRegex(@"^\s*([\d,]+)\s+([\d,]+)\s+(\S.*)$")]
    private static partial Regex TypeLine();
}
