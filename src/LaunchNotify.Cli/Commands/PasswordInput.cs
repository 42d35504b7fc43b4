using System.CommandLine;
using LaunchNotify.Node.Accounts;
using Spectre.Console;

namespace LaunchNotify.Cli.Commands;

/// <summary>
/// A password for the CLI: from a file (mode 0600), standard input, <c>$LAUNCHNOTIFY_PASSWORD</c>, or a prompt on a
/// terminal. Never an argument: the command line of a process is readable by every user of the machine.
/// </summary>
public static class PasswordInput
{
    public const string Variable = "LAUNCHNOTIFY_PASSWORD";

    public static Option<FileInfo?> FileOption() => new("--password-file")
    {
        Description = "A file holding the password (mode 0600: readable by you only).",
    };

    public static Option<bool> StdinOption() => new("--password-stdin")
    {
        Description = $"Read the password from the first line of standard input (or set ${Variable}; a terminal is prompted).",
    };

    public static string Read(ParseResult parse, Option<FileInfo?> file, Option<bool> stdin, IAnsiConsole console, string prompt)
    {
        if (parse.GetValue(file) is { } f)
        {
            try
            {
                return SecretFile.ReadOwnerOnly(f.FullName, "--password-file");
            }
            catch (SecretFileException e)
            {
                throw new CliException(e.Message);
            }
        }
        if (parse.GetValue(stdin))
            return Console.In.ReadLine()?.Trim() is { Length: > 0 } line ? line : throw new CliException("Standard input gave no password.");
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } fromEnvironment)
            return fromEnvironment;
        if (!Console.IsInputRedirected && console.Profile.Capabilities.Interactive)
            return console.Prompt(new TextPrompt<string>(prompt).Secret());
        throw new CliException($"No password: give --password-file FILE (mode 0600), --password-stdin, or set ${Variable}. A password is never taken as an argument.");
    }
}
