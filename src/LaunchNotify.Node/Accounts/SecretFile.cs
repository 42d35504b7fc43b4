namespace LaunchNotify.Node.Accounts;

/// <summary>A secret kept in a file (a password, a private key) must be readable by its owner only.</summary>
public static class SecretFile
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Reads the file's text (trimmed), refusing a missing file or one others may read or write.</summary>
    /// <param name="what">What the file is, for the message (e.g. "LaunchNotify:Broker:PasswordFile").</param>
    public static string ReadOwnerOnly(string path, string what)
    {
        CheckOwnerOnly(path, what);
        return File.ReadAllText(path).Trim();
    }

    /// <summary>Refuses a missing file or one whose mode lets group or others in (on Unix).</summary>
    public static void CheckOwnerOnly(string path, string what)
    {
        if (!File.Exists(path))
            throw new SecretFileException($"{what} '{path}' does not exist.");
        if (!OperatingSystem.IsWindows() && Protocol.Signing.SecretFiles.OpenToOthers(path))
            throw new SecretFileException(
                $"{what} '{path}' can be read by others (mode {Convert.ToString((int)File.GetUnixFileMode(path), 8)}); it holds a secret: run 'chmod 600 {path}'.");
    }

    /// <summary>Writes a secret to a new file that only its owner may read (mode 0600 from the start, no window).</summary>
    public static void WriteOwnerOnly(string path, string text)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
            Directory.CreateDirectory(folder);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = OwnerOnly;
        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
            writer.Write(text);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, OwnerOnly);
    }
}

/// <summary>A secret file is missing or too widely readable; the message says how to fix it.</summary>
public sealed class SecretFileException(string message) : Exception(message);
