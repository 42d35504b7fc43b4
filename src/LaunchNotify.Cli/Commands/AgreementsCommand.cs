using System.CommandLine;
using LaunchNotify.Presentation;
using LaunchNotify.Protocol.Agreements;
using Spectre.Console;

namespace LaunchNotify.Cli.Commands;

/// <summary><c>launchnotify agreements [--lang]</c>: the agreements this build knows, with their key numbers, in the reader's language.</summary>
public static class AgreementsCommand
{
    public static Command Create(IAnsiConsole? console = null)
    {
        var lang = CommonOptions.Lang();
        var timeZone = CommonOptions.TimeZone();
        var command = new Command("agreements", "List the reference agreements and their parameters.") { lang, timeZone };
        command.SetAction((parse, _) => CommonOptions.Guard(() =>
        {
            var r = CommonOptions.Rendering(parse, lang, timeZone);
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn(r.Text("cli.agreements.col.id")).AddColumn(r.Text("cli.agreements.col.parties")).AddColumn(r.Text("cli.agreements.col.classes"))
                .AddColumn(r.Text("cli.agreements.col.leadTime")).AddColumn(r.Text("cli.agreements.col.maxWindow")).AddColumn(r.Text("cli.agreements.col.receiptDue"));
            foreach (var a in AgreementCatalog.Default.All)
                table.AddRow(new Text(a.Id.Value), new Text(string.Join(" ", a.Parties)), new Text(string.Join(", ", a.Scope.MissileClasses.Select(r.MissileClass))),
                    new Text(r.RuleDuration(a.Notification.MinimumLeadTime)),
                    new Text(a.Notification.MaximumWindow is { } w ? r.RuleDuration(w) : Rendering.Nothing),
                    new Text(r.RuleDuration(a.Deadlines.Receipt)));
            (console ?? AnsiConsole.Console).Write(table);
            return Task.FromResult(ExitCodes.Ok);
        }, console));
        return command;
    }
}
