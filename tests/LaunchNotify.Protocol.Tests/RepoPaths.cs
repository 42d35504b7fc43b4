namespace LaunchNotify.Protocol.Tests;

/// <summary>Finds the repository's own folders (schemas/, agreements/) from the test's working directory.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Schemas => Path.Combine(Root, "schemas");
    public static string Agreements => Path.Combine(Root, "agreements");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LaunchNotify.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("LaunchNotify.sln not found above " + AppContext.BaseDirectory);
    }
}
