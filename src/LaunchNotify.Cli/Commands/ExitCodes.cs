namespace LaunchNotify.Cli.Commands;

/// <summary>What scripts can rely on.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The input is invalid, refused or rejected.</summary>
    public const int Invalid = 1;
    /// <summary>The command could not do its job (missing file, service not running, bad arguments).</summary>
    public const int Failed = 2;
}
