namespace LaunchNotify.Cli.Commands;

/// <summary>What scripts can rely on.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The input is invalid, refused or rejected.</summary>
    public const int Invalid = 1;
    /// <summary>The command could not do its job (missing file, service not running, bad arguments).</summary>
    public const int Failed = 2;
    /// <summary><c>submit --wait</c>: the publisher accepted the message, but not every receipt came back in time (broker down, counterpart not running).</summary>
    public const int NotConfirmed = 3;
}
