namespace LaunchNotify.Integration.Tests;

/// <summary>Finds the repository root (where LaunchNotify.sln is) from the test's output folder.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

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
