using System.CommandLine;
using LaunchNotify.Cli.Commands;
using LaunchNotify.Cli.Demo;

// launchnotify: validate, submit and follow notifications; manage keys; run the demo.
// Logs and CI capture output: give tables room instead of wrapping them at 80 columns.
if (Console.IsOutputRedirected)
    Spectre.Console.AnsiConsole.Profile.Width = 140;

var root = new RootCommand("LaunchNotify: ballistic-missile launch pre-notifications between national centres.");
root.Subcommands.Add(LoginCommand.Create());
root.Subcommands.Add(UsersCommand.Create());
root.Subcommands.Add(ValidateCommand.Create());
root.Subcommands.Add(SubmitCommand.Create());
root.Subcommands.Add(StatusCommand.Create());
root.Subcommands.Add(InboxCommand.Create());
root.Subcommands.Add(AcknowledgeCommand.Create());
root.Subcommands.Add(AlarmsCommand.Create());
root.Subcommands.Add(LaunchesCommand.Create());
root.Subcommands.Add(AgreementsCommand.Create());
root.Subcommands.Add(KeysCommand.Create());
root.Subcommands.Add(BrokerCommand.Create());
root.Subcommands.Add(AuditCommand.Create());
root.Subcommands.Add(EvidenceCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(SeedCommand.Create());
root.Subcommands.Add(ReportCommand.Create());
root.Subcommands.Add(StoreCommand.Create());
// Started by a launcher that set LAUNCHNOTIFY_PARENT_PID (a test): stop when it is gone; the nodes this process started
// watch this process the same way and follow.
using var parentWatch = LaunchNotify.Node.Hosting.ParentWatch.Watch(reason =>
{
    Console.Error.WriteLine($"launchnotify: stopping: {reason}");
    Environment.Exit(143);
});
return await root.Parse(args).InvokeAsync();
