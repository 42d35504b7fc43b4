using System.CommandLine;
using LaunchNotify.Protocol.Agreements;
using Spectre.Console;

namespace LaunchNotify.Cli.Commands;

/// <summary><c>launchnotify agreements</c>: the agreements this build knows, with their key numbers.</summary>
public static class AgreementsCommand
{
    public static Command Create()
    {
        var command = new Command("agreements", "List the reference agreements and their parameters.");
        command.SetAction(_ =>
        {
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn("id").AddColumn("parties").AddColumn("classes").AddColumn("lead time").AddColumn("max window").AddColumn("receipt due");
            foreach (var a in AgreementCatalog.Default.All)
                table.AddRow(a.Id.Value, string.Join(" ", a.Parties), string.Join(" ", a.Scope.MissileClasses),
                    $"{a.Notification.MinimumLeadTime.TotalHours:0.#} h", a.Notification.MaximumWindow is { } w ? $"{w.TotalHours:0.#} h" : "-",
                    $"{a.Deadlines.Receipt.TotalMinutes:0} min");
            AnsiConsole.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }
}
