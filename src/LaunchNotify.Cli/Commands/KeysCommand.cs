using System.CommandLine;
using LaunchNotify.Domain.Values;
using LaunchNotify.Protocol.Signing;
using Spectre.Console;

namespace LaunchNotify.Cli.Commands;

/// <summary><c>launchnotify keys generate --centre XX [--dir DIR] [--force]</c>.</summary>
public static class KeysCommand
{
    public static Command Create()
    {
        var centre = new Option<string>("--centre") { Description = "The centre's code (ISO 3166-1 alpha-2, e.g. US).", Required = true };
        var dir = new Option<DirectoryInfo>("--dir")
        {
            Description = "The keys folder (private key under <dir>/<CC>/, published keys in <dir>/jwks.json).",
            DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(Environment.CurrentDirectory, "keys")),
        };
        var force = new Option<bool>("--force") { Description = "Replace an existing key pair (counterparts must get the new public key)." };
        var generate = new Command("generate", "Make a centre's EC P-256 key pair and add its public key to the JWK Set.") { centre, dir, force };
        generate.SetAction(parse =>
        {
            var code = parse.GetValue(centre)!;
            if (!CentreCode.IsValid(code))
            {
                AnsiConsole.MarkupLine($"[red]error:[/] '{Markup.Escape(code)}' is not a centre code: two upper-case letters, e.g. US.");
                return ExitCodes.Failed;
            }
            var folder = parse.GetValue(dir)!.FullName;
            try
            {
                var key = KeyStore.Generate(new CentreCode(code), folder, parse.GetValue(force));
                AnsiConsole.MarkupLine($"[green]✓[/] centre {code}: key id [bold]{Markup.Escape(key.Kid)}[/]");
                AnsiConsole.MarkupLine($"  private key (mode 0600, never leaves this folder): {Markup.Escape(Path.Combine(folder, code))}/");
                AnsiConsole.MarkupLine($"  public JWK Set to give counterparts: {Markup.Escape(Path.Combine(folder, "jwks.json"))}");
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
                AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
                return ExitCodes.Failed;
            }
        });
        return new Command("keys", "Manage centre signing keys.") { generate };
    }
}
