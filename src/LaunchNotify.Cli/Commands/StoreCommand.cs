using System.CommandLine;
using LaunchNotify.Storage;

namespace LaunchNotify.Cli.Commands;

/// <summary>
/// <c>launchnotify store status|migrate [--store …] [--config FILE]</c>: where a node's store stands against this build's
/// schema migrations, and bringing it up to date (docs/operations.md).
/// </summary>
public static class StoreCommand
{
    public static Command Create()
    {
        var store = NodeStoreOptions.Store();
        var config = NodeStoreOptions.Config();
        var status = new Command("status", "Show the store's applied and pending migrations. Exit 0 current, 1 migrations pending or store newer than this build.") { store, config };
        status.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            var options = NodeStoreOptions.Resolve(parse, store, config, mustExist: true).Store;
            var result = await NodeStoreOptions.Guarded(options, () => StoreMigrator.InspectAsync(options, ct));
            Console.WriteLine($"Store {options}: {StoreMigrator.Describe(result)}");
            foreach (var applied in result.Applied)
                Console.WriteLine($"  applied  {applied}");
            foreach (var pending in result.Pending)
                Console.WriteLine($"  pending  {pending}");
            foreach (var unknown in result.Unknown)
                Console.WriteLine($"  unknown  {unknown} (from a newer build)");
            if (result.Unknown.Count > 0)
                Console.WriteLine("This build cannot use the store: run a build at least as new as the one that migrated it.");
            else if (!result.IsCurrent)
                Console.WriteLine($"Back the store up, then run: launchnotify store migrate --store {options}");
            return result.IsCurrent ? ExitCodes.Ok : ExitCodes.Invalid;
        }));

        var migrate = new Command("migrate", "Create the store, or apply the pending migrations (a store made before migrations is baselined, not recreated).") { store, config };
        migrate.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            var options = NodeStoreOptions.Resolve(parse, store, config, mustExist: false).Store;
            var before = await NodeStoreOptions.Guarded(options, () => StoreMigrator.InspectAsync(options, ct));
            StoreSchemaStatus after;
            try
            {
                after = await NodeStoreOptions.Guarded(options, () => StoreMigrator.MigrateAsync(options, ct));
            }
            catch (StoreSchemaException e)
            {
                throw new CliException(e.Message);
            }
            if (before.CreatedWithoutHistory)
                Console.WriteLine($"Baselined: the store was created before migrations; recorded {after.Applied[0]} as applied.");
            var ran = before.Pending;
            Console.WriteLine(ran.Count == 0
                ? $"Store {options} is up to date ({after.Applied[^1]})."
                : $"Store {options}: applied {string.Join(", ", ran)}; now at {after.Applied[^1]}.");
            return ExitCodes.Ok;
        }));

        return new Command("store", "A node's store: schema status and migrations.") { status, migrate };
    }
}
