namespace LaunchNotify.Cli;

/// <summary>Finds the repository the CLI was built from (the demo runs the sibling projects' binaries and infra scripts).</summary>
public static class RepoRoot
{
    public static string Find()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "LaunchNotify.sln")))
                    return dir.FullName;
            }
        }
        throw new Commands.CliException("Cannot find the LaunchNotify repository (LaunchNotify.sln) above the current folder; run from inside the clone.");
    }

    /// <summary>Debug or Release: the configuration this CLI was built in, so the demo runs binaries of the same build.</summary>
    public static string BuildConfiguration()
    {
        var parts = AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var bin = Array.LastIndexOf(parts, "bin");
        return bin >= 0 && bin + 1 < parts.Length ? parts[bin + 1] : "Release";
    }
}
