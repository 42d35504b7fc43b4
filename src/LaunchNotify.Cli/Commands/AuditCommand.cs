using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using LaunchNotify.Node.Audit;
using LaunchNotify.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using NodaTime.Text;

namespace LaunchNotify.Cli.Commands;

/// <summary>
/// <c>launchnotify audit verify|list|head [--store sqlite:PATH|postgres:…] [--config FILE]</c>: check and read a
/// node's hash-chained audit log directly in its store (docs/audit.md).
/// </summary>
public static class AuditCommand
{
    public static Command Create()
    {
        var store = NodeStoreOptions.Store();
        var config = NodeStoreOptions.Config();
        var anchor = new Option<string?>("--anchor")
        {
            Description = "SEQ:HASH recorded earlier (from 'audit head'): also check that entry SEQ still has that hash.",
        };
        var verify = new Command("verify", "Recompute the audit chain from entry 1; name the first broken entry. Exit 0 intact, 1 broken, 2 could not run.")
        {
            store, config, anchor,
        };
        verify.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            AuditAnchor? anchored = null;
            if (parse.GetValue(anchor) is { } text && !AuditAnchor.TryParse(text, out anchored))
                throw new CliException($"--anchor '{text}' must be SEQ:HASH, e.g. 1234:{new string('0', 64)} (as 'launchnotify audit head' prints it).");
            var options = NodeStoreOptions.Resolve(parse, store, config).Store;
            await using var db = new NodeDbContext(options.ToDbContextOptions());
            var result = await NodeStoreOptions.Guarded(options, () => AuditVerifier.VerifyAsync(db, anchored, ProgressPrinter(), ct: ct));
            Console.WriteLine($"Audit log of {options}: {result.Checked} entries checked.");
            if (result.Intact)
            {
                Console.WriteLine($"✓ intact: every entry's hash and prev link recompute{(anchored is null ? "" : $", and entry {anchored.Seq} matches the anchor")}; the head row points at the last entry.");
                Console.WriteLine($"  head {result.LastSeq}:{result.HeadHash}");
                Console.WriteLine("  Record that line elsewhere (a log book, a signed e-mail) and pass it later as --anchor to detect a rewritten log.");
                return ExitCodes.Ok;
            }
            var first = result.FirstBreak!;
            Console.WriteLine($"✗ broken at entry {first.Seq} ({first.Problem}): {first.Message}");
            foreach (var other in result.Breaks.Skip(1).Take(9))
                Console.WriteLine($"  also entry {other.Seq} ({other.Problem}): {other.Message}");
            if (result.Breaks.Count > 10 || result.MoreBreaks)
                Console.WriteLine("  … and more.");
            Console.WriteLine("  Entries from the break on cannot be trusted. Keep this store as it is and compare with the last recorded head (--anchor) or a backup.");
            return ExitCodes.Invalid;
        }));

        var since = new Option<string?>("--since") { Description = "Only entries at or after this instant (e.g. 2026-11-20T00:00:00Z)." };
        var subject = new Option<string?>("--subject") { Description = "Only entries about this message or alarm id, centre (US) or agreement id." };
        var limit = new Option<int>("--limit") { Description = "At most this many entries (oldest first).", DefaultValueFactory = _ => 200 };
        var json = new Option<bool>("--json") { Description = "Print the entries as JSON (the hashed form plus hash)." };
        var list = new Command("list", "List audit entries, oldest first.") { store, config, since, subject, limit, json };
        list.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            NodaTime.Instant? from = null;
            if (parse.GetValue(since) is { } sinceText)
            {
                var parsed = InstantPattern.ExtendedIso.Parse(sinceText);
                from = parsed.Success ? parsed.Value : throw new CliException($"--since '{sinceText}' is not an instant in UTC like 2026-11-20T14:00:00Z.");
            }
            var options = NodeStoreOptions.Resolve(parse, store, config).Store;
            await using var db = new NodeDbContext(options.ToDbContextOptions());
            var entries = await NodeStoreOptions.Guarded(options, () => AuditQueries.ListAsync(db, from, parse.GetValue(subject), parse.GetValue(limit), ct));
            if (parse.GetValue(json))
            {
                var array = new JsonArray([.. entries.Select(Node.Evidence.EvidenceExporter.AuditEntryNode)]);
                Console.WriteLine(array.ToJsonString(Node.Evidence.EvidenceFormat.Indented));
                return ExitCodes.Ok;
            }
            foreach (var e in entries)
            {
                var about = string.Join(" ", new[] { e.MessageId?.ToString("D"), e.Centre, e.AgreementId, e.AlarmId is { } a ? $"alarm {a:D}" : null }.OfType<string>());
                Console.WriteLine($"{e.Seq,6}  {Storage.Audit.AuditChain.FormatInstant(e.At),-28} {e.Type,-18} {about}");
                Console.WriteLine($"        {e.DetailsJson}");
                Console.WriteLine($"        hash {e.Hash[..16]}…  prev {e.PrevHash[..16]}…");
            }
            if (entries.Count == 0)
                Console.WriteLine("No audit entries match.");
            return ExitCodes.Ok;
        }));

        var head = new Command("head", "Print the last entry's SEQ:HASH, to record elsewhere as an anchor for later 'audit verify --anchor'.") { store, config };
        head.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            var options = NodeStoreOptions.Resolve(parse, store, config).Store;
            await using var db = new NodeDbContext(options.ToDbContextOptions());
            var (seq, hash) = await NodeStoreOptions.Guarded(options, () => AuditQueries.HeadAsync(db, ct));
            Console.WriteLine($"{seq}:{hash}");
            return ExitCodes.Ok;
        }));

        return new Command("audit", "Check and read the node's hash-chained audit log.") { verify, list, head };
    }

    /// <summary>Progress on stderr for long logs: every tenth of the way once there are more than 20 000 entries.</summary>
    private static IProgress<AuditProgress> ProgressPrinter()
    {
        long nextReport = 0;
        return new SynchronousProgress<AuditProgress>(p =>
        {
            if (p.Total < 20_000 || p.Checked < nextReport)
                return;
            Console.Error.WriteLine($"  checked {p.Checked} of {p.Total} entries ({100 * p.Checked / p.Total} %)");
            nextReport = p.Checked + p.Total / 10;
        });
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

/// <summary>Which node store (and keys folder) a compliance command reads: --store, else --config, else the node's environment variables.</summary>
public static class NodeStoreOptions
{
    public static Option<string?> Store() => new("--store")
    {
        Description = "The node's store: sqlite:PATH or postgres:CONNECTION-STRING (default: LaunchNotify:Store from --config, or $LaunchNotify__Store).",
    };

    public static Option<FileInfo?> Config() => new("--config")
    {
        Description = "A node configuration file (JSON with LaunchNotify:Store and LaunchNotify:KeysDirectory, as the publisher reads).",
    };

    public static (StorageOptions Store, string? KeysDirectory) Resolve(ParseResult parse, Option<string?> store, Option<FileInfo?> config, bool mustExist = true)
    {
        var builder = new ConfigurationBuilder().AddEnvironmentVariables();
        if (parse.GetValue(config) is { } file)
        {
            if (!file.Exists)
                throw new CliException($"No configuration file at {file.FullName}.");
            builder.AddJsonFile(file.FullName, optional: false);
        }
        var configuration = builder.Build();
        var text = parse.GetValue(store) ?? configuration["LaunchNotify:Store"];
        if (string.IsNullOrWhiteSpace(text))
            throw new CliException("Which store? Give --store sqlite:PATH (or postgres:CONNECTION-STRING), or --config with the node's configuration file.");
        StorageOptions options;
        try
        {
            options = StorageOptions.Parse(text);
        }
        catch (FormatException e)
        {
            throw new CliException(e.Message);
        }
        if (mustExist && options.Provider == StorageProvider.Sqlite)
        {
            var path = new SqliteConnectionStringBuilder(options.ConnectionString).DataSource;
            if (!File.Exists(path))
                throw new CliException($"No store at {Path.GetFullPath(path)}: give the node's store file (the publisher logs it at start-up).");
        }
        return (options, configuration["LaunchNotify:KeysDirectory"]);
    }

    /// <summary>Turns a store that cannot be read (down, or older than the audit log) into advice.</summary>
    public static async Task<T> Guarded<T>(StorageOptions options, Func<Task<T>> run)
    {
        try
        {
            return await run();
        }
        catch (StoreSchemaException e)
        {
            throw new CliException(e.Message);
        }
        catch (Exception e) when (e is SqliteException or Npgsql.NpgsqlException or InvalidOperationException && e is not CliException)
        {
            var hint = e.Message.Contains("AuditEntries", StringComparison.Ordinal) || e.Message.Contains("AuditChainHead", StringComparison.Ordinal)
                ? "This store has no audit log tables: it was created before audit logging. Start the node's publisher once on it, or use a new store."
                : "Check that the store is reachable and the connection string is right.";
            throw new CliException($"Could not read {options}: {e.Message} {hint}");
        }
    }
}
