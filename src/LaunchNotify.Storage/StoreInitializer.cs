namespace LaunchNotify.Storage;

/// <summary>A store's files: owner-only modes. Making a store ready for this build is <c>StoreMigrator.MigrateAsync</c>.</summary>
public static class StoreInitializer
{
    /// <summary>A store holds a centre's evidence: its files are the owner's alone (0600), however the umask is set.</summary>
    public const UnixFileMode StoreFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the file 0600 if it is not there (before SQLite does, with the umask's mode); narrows a wider one.</summary>
    internal static void OwnerOnly(string path)
    {
        if (OperatingSystem.IsWindows() || path is "" or ":memory:")
            return;
        if (!File.Exists(path))
        {
            try
            {
                using var _ = new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = StoreFileMode,
                });
            }
            catch (IOException) when (File.Exists(path))
            {
                // The centre's other process created it first; its mode is checked below.
            }
        }
        if (File.GetUnixFileMode(path) != StoreFileMode)
            File.SetUnixFileMode(path, StoreFileMode);
    }

    /// <summary>SQLite gives -wal and -shm the main file's mode; ones left by an older build may be wider.</summary>
    internal static void OwnerOnlyCompanions(string path)
    {
        foreach (var companion in new[] { path + "-wal", path + "-shm", path + "-journal" })
            if (File.Exists(companion))
                OwnerOnly(companion);
    }
}
