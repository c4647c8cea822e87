namespace OpenViduServerSide.Tests.Architecture;

/// <summary>The repository the tests run from, for the tests that read its sources.</summary>
internal static class Repository
{
    /// <summary>The folder of OpenViduServerSide.sln, found by walking up from the test binaries.</summary>
    public static string Root()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "OpenViduServerSide.sln")))
        {
            folder = folder.Parent;
        }

        Assert.NotNull(folder);
        return folder.FullName;
    }
}
