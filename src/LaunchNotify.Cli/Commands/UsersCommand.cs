using System.CommandLine;
using System.Text.Json;
using LaunchNotify.Node.Accounts;
using NodaTime;
using Spectre.Console;

namespace LaunchNotify.Cli.Commands;

/// <summary>
/// <c>launchnotify users add|list|disable|reset</c>: the node's accounts, on its store directly (like the other admin
/// commands: whoever may write the store administers it; the change is audited as the operating-system user).
/// Passwords come from a 0600 file, standard input, <c>$LAUNCHNOTIFY_PASSWORD</c> or a prompt, never from arguments.
/// </summary>
public static class UsersCommand
{
    public static Command Create(IAnsiConsole? console = null)
    {
        var command = new Command("users", $"Manage the node's accounts and their roles ({string.Join(", ", NodeRoles.All)}).");
        command.Subcommands.Add(Add(console));
        command.Subcommands.Add(List(console));
        command.Subcommands.Add(Disable(console));
        command.Subcommands.Add(Reset(console));
        return command;
    }

    private static Option<string[]> Roles(bool required) => new("--role")
    {
        Description = $"A role (repeat for several): {string.Join(", ", NodeRoles.All)}.",
        Required = required,
        AllowMultipleArgumentsPerToken = false,
    };

    private static Argument<string> Name() => new("name") { Description = "The account's user name (letters, digits, - . _ @)." };

    private static Command Add(IAnsiConsole? console)
    {
        var (name, roles, passwordFile, passwordStdin, store, config) = (Name(), Roles(required: true), PasswordInput.FileOption(), PasswordInput.StdinOption(), NodeStoreOptions.Store(), NodeStoreOptions.Config());
        var command = new Command("add", "Add an account with its roles and password.") { name, roles, passwordFile, passwordStdin, store, config };
        command.SetAction((parse, ct) => Run(console, parse, store, config, async (book, output) =>
        {
            var password = PasswordInput.Read(parse, passwordFile, passwordStdin, output, $"Password for {parse.GetValue(name)}:");
            Print(output, "Added", await book.AddAsync(parse.GetValue(name)!, parse.GetValue(roles)!, password, AccountStore.LocalAdministrator(), ct));
        }));
        return command;
    }

    private static Command List(IAnsiConsole? console)
    {
        var (json, store, config) = (new Option<bool>("--json") { Description = "Print JSON." }, NodeStoreOptions.Store(), NodeStoreOptions.Config());
        var command = new Command("list", "List the accounts, their roles and whether they are disabled.") { json, store, config };
        command.SetAction((parse, ct) => Run(console, parse, store, config, async (book, output) =>
        {
            var accounts = await book.ListAsync(ct);
            if (parse.GetValue(json))
            {
                output.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(accounts, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
                return;
            }
            var table = new Table().AddColumns("name", "roles", "state", "subject");
            foreach (var a in accounts)
                table.AddRow(Markup.Escape(a.Name), Markup.Escape(string.Join(", ", a.Roles)),
                    a.Disabled ? "[red]disabled[/]" : a.LockedOutUntil is { } until ? $"locked until {until:yyyy-MM-dd HH:mm}" : "[green]enabled[/]", Markup.Escape(a.Subject));
            output.Write(table);
        }));
        return command;
    }

    private static Command Disable(IAnsiConsole? console)
    {
        var (name, store, config) = (Name(), NodeStoreOptions.Store(), NodeStoreOptions.Config());
        var command = new Command("disable", "Disable an account: no more sign-ins, and its tokens stop working at once.") { name, store, config };
        command.SetAction((parse, ct) => Run(console, parse, store, config, async (book, output) =>
            Print(output, "Disabled", await book.DisableAsync(parse.GetValue(name)!, AccountStore.LocalAdministrator(), ct))));
        return command;
    }

    private static Command Reset(IAnsiConsole? console)
    {
        var (name, roles, passwordFile, passwordStdin, store, config) = (Name(), Roles(required: false), PasswordInput.FileOption(), PasswordInput.StdinOption(), NodeStoreOptions.Store(), NodeStoreOptions.Config());
        var command = new Command("reset", "Set a new password (and the roles, if --role is given); re-enables the account and ends its earlier tokens.")
        {
            name, roles, passwordFile, passwordStdin, store, config,
        };
        command.SetAction((parse, ct) => Run(console, parse, store, config, async (book, output) =>
        {
            var password = PasswordInput.Read(parse, passwordFile, passwordStdin, output, $"New password for {parse.GetValue(name)}:");
            var newRoles = parse.GetValue(roles) is { Length: > 0 } r ? r : null;
            Print(output, "Reset", await book.ResetAsync(parse.GetValue(name)!, password, newRoles, AccountStore.LocalAdministrator(), ct));
        }));
        return command;
    }

    private static Task<int> Run(IAnsiConsole? console, ParseResult parse, Option<string?> store, Option<FileInfo?> config, Func<AccountBook, IAnsiConsole, Task> act) =>
        CommonOptions.Guard(async () =>
        {
            var output = console ?? AnsiConsole.Console;
            var (storage, _) = NodeStoreOptions.Resolve(parse, store, config);
            await using var accounts = await AccountStore.OpenAsync(storage, SystemClock.Instance, CancellationToken.None);
            try
            {
                await act(accounts.Book, output);
            }
            catch (AccountException e)
            {
                throw new CliException(e.Message);
            }
            return ExitCodes.Ok;
        }, console);

    private static void Print(IAnsiConsole output, string what, AccountView account) =>
        output.MarkupLine($"{what} [bold]{Markup.Escape(account.Name)}[/] ({Markup.Escape(string.Join(", ", account.Roles))}){(account.Disabled ? ", [red]disabled[/]" : "")}.");
}
