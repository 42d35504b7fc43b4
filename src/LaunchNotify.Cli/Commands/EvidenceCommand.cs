using System.CommandLine;
using LaunchNotify.Node.Evidence;
using LaunchNotify.Protocol.Signing;
using Microsoft.EntityFrameworkCore;
using LaunchNotify.Storage;

namespace LaunchNotify.Cli.Commands;

/// <summary>
/// <c>launchnotify evidence export ID [--sender CC] [--store] [--config] [--keys DIR] [-o FILE]</c> and
/// <c>launchnotify evidence verify BUNDLE [--trusted-keys jwks.json]</c> (docs/evidence.md).
/// </summary>
public static class EvidenceCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("message-id") { Description = "The notification's message id, or its first 8 (or more) hex digits as the tables and reports show." };
        var store = NodeStoreOptions.Store();
        var config = NodeStoreOptions.Config();
        var keys = new Option<DirectoryInfo?>("--keys")
        {
            Description = "The node's keys folder; its jwks.json supplies the public keys to bundle (default: LaunchNotify:KeysDirectory from --config or the environment).",
        };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write the bundle here (default: standard output)." };
        var sender = new Option<string?>("--sender") { Description = "Whose message (a centre code), when several centres used this id." };
        var export = new Command("export", "Write one notification's evidence (signed notification, signed receipts, keys, timeline, alarms, audit entries) as one JSON file.")
        {
            id, store, config, keys, output, sender,
        };
        export.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            var (options, configuredKeys) = NodeStoreOptions.Resolve(parse, store, config);
            var keysDir = parse.GetValue(keys)?.FullName ?? configuredKeys
                ?? throw new CliException("Which keys folder? Give --keys DIR (the node's, with jwks.json) so the bundle carries the public keys that signed it.");
            JwkSet trust;
            try
            {
                trust = KeyStore.LoadTrustedKeys(keysDir);
            }
            catch (Exception e) when (e is IOException or KeyFormatException or KeyStoreException or InvalidOperationException)
            {
                throw new CliException($"Could not read the trusted keys in {keysDir}: {e.Message}");
            }
            var exporter = new EvidenceExporter(new StoreContextFactory(options), trust, NodaTime.SystemClock.Instance);
            var messageId = await ResolveAsync(options, parse.GetValue(id)!, ct);
            var from = parse.GetValue(sender);
            var senders = await NodeStoreOptions.Guarded(options, () => exporter.SendersOfAsync(messageId, ct));
            if (from is null && senders.Count > 1)
                throw new CliException($"Centres {string.Join(", ", senders)} each sent a message {messageId}; say whose with --sender CC.");
            var result = await NodeStoreOptions.Guarded(options, () => exporter.ExportAsync(messageId, ct, from))
                ?? throw new CliException($"The store {options} holds no message {messageId}{(from is null ? "" : " from " + from)} (sent or received).");
            foreach (var warning in result.Warnings)
                Console.Error.WriteLine($"warning: {warning}");
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllBytesAsync(file.FullName, result.ToUtf8(), ct);
                // The hint repeats the user's own path and keys, so it can be pasted as it is.
                var jwks = Path.Combine(keysDir, "jwks.json");
                Console.Error.WriteLine($"Evidence for {messageId} written to {file.FullName}. Check it with: launchnotify evidence verify {Quote(file.ToString())} --trusted-keys {Quote(jwks)}");
            }
            else
            {
                await using var stdout = Console.OpenStandardOutput();
                await stdout.WriteAsync(result.ToUtf8(), ct);
            }
            return ExitCodes.Ok;
        }));

        var bundle = new Argument<FileInfo>("bundle") { Description = "An evidence bundle from 'evidence export' or GET /v1/notifications/{id}/evidence." };
        var trusted = new Option<FileInfo?>("--trusted-keys")
        {
            Description = "A JWK Set you already trust (e.g. your node's jwks.json): bundled keys are checked against it and signatures verified with it.",
        };
        var verify = new Command("verify", "Check a bundle offline: every signature, kid ↔ centre, payload hash, that each receipt answers this notification. Exit 0 all pass, 1 a check failed, 2 could not run.")
        {
            bundle, trusted,
        };
        verify.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            var file = parse.GetValue(bundle)!;
            if (!file.Exists)
                throw new CliException($"No bundle at {file.FullName}.");
            JwkSet? trust = null;
            if (parse.GetValue(trusted) is { } trustFile)
            {
                try
                {
                    trust = JwkSet.Load(trustFile.FullName);
                }
                catch (Exception e) when (e is IOException or KeyFormatException)
                {
                    throw new CliException($"Could not read --trusted-keys: {e.Message}");
                }
            }
            // Revocations and retirements kept beside the trusted JWK Set (a node's key-status.json) are applied too.
            var statuses = parse.GetValue(trusted) is { DirectoryName: { } trustDir } ? LoadStatuses(trustDir) : KeyStatuses.None;
            var report = EvidenceVerifier.Verify(await File.ReadAllBytesAsync(file.FullName, ct), trust, statuses);
            foreach (var check in report.Checks)
                Console.WriteLine(check);
            Console.WriteLine(report.Passed
                ? "Evidence verified: every check passed (lines marked ! are findings, not failures)."
                : "Evidence NOT verified: see the lines marked ✗.");
            return report.Passed ? ExitCodes.Ok : ExitCodes.Invalid;
        }));

        return new Command("evidence", "Export and check the evidence for one notification.") { export, verify };
    }

    private static KeyStatuses LoadStatuses(string dir)
    {
        try
        {
            return KeyStore.LoadStatuses(dir);
        }
        catch (KeyStoreException e)
        {
            throw new CliException($"Could not read the key status file beside --trusted-keys: {e.Message}");
        }
    }

    private static string Quote(string path) => path.Contains(' ', StringComparison.Ordinal) ? $"'{path}'" : path;

    /// <summary>A full id as is; a prefix against every message the store holds, sent or received.</summary>
    private static async Task<Guid> ResolveAsync(StorageOptions options, string text, CancellationToken ct)
    {
        if (MessageIdText.Full(text) is { } id)
            return id;
        MessageIdText.Prefix(text);
        var ids = await NodeStoreOptions.Guarded(options, async () =>
        {
            await using var db = new StoreContextFactory(options).CreateDbContext();
            var sent = await db.OutboundMessages.AsNoTracking().Select(m => m.MessageId).ToListAsync(ct);
            var received = await db.Inbox.AsNoTracking().Select(m => m.MessageId).ToListAsync(ct);
            return sent.Concat(received).ToList();
        });
        return MessageIdText.Resolve(text, ids, $"the store {options}");
    }

}
