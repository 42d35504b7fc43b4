using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Keys;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;

namespace LaunchNotify.Cli.Commands;

/// <summary>
/// <c>launchnotify keys generate|import|rotate|revoke|announce|list|reload</c>: a centre's signing keys and the keys it
/// trusts (docs/signing.md). Refusals exit 1 with what to do; nothing prints a private key.
/// </summary>
public static partial class KeysCommand
{
    public static readonly Duration DefaultOverlap = Duration.FromDays(7);

    public static Command Create()
    {
        var root = new Command("keys", "Manage centre signing keys and the trust store (docs/signing.md).");
        root.Subcommands.Add(Generate());
        root.Subcommands.Add(Import());
        root.Subcommands.Add(Rotate());
        root.Subcommands.Add(Revoke());
        root.Subcommands.Add(Announce());
        root.Subcommands.Add(List());
        root.Subcommands.Add(Reload());
        return root;
    }

    private static Option<string> Centre(string what) => new("--centre") { Description = what, Required = true };

    private static Option<DirectoryInfo> Dir() => new("--dir")
    {
        Description = "The keys folder (private key under <dir>/<CC>/, trusted keys in <dir>/jwks.json, lifecycle in <dir>/key-status.json).",
        DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(Environment.CurrentDirectory, "keys")),
    };

    private static Option<string[]> AnnounceTo() => new("--announce-to")
    {
        Description = "Counterpart centres to send a signed key announcement to (through this centre's outbox; needs --store or --config).",
        AllowMultipleArgumentsPerToken = true,
    };

    private static Command Generate()
    {
        var centre = Centre("The centre's code (ISO 3166-1 alpha-2, e.g. US).");
        var dir = Dir();
        var force = new Option<bool>("--force") { Description = "Replace an existing key pair outright (counterparts must get the new public key; 'keys rotate' keeps the old one valid for an overlap)." };
        var lang = CommonOptions.Lang();
        var timeZone = CommonOptions.TimeZone();
        var command = new Command("generate", "Make a centre's EC P-256 key pair and add its public key to the JWK Set.") { centre, dir, force, lang, timeZone };
        command.SetAction((parse, _) => Run(() =>
        {
            var r = CommonOptions.Rendering(parse, lang, timeZone);
            var code = ParseCentre(parse.GetValue(centre)!);
            var folder = parse.GetValue(dir)!.FullName;
            CentreKey key;
            try
            {
                key = KeyStore.Generate(code, folder, parse.GetValue(force));
            }
            catch (KeyAlreadyExistsException e)
            {
                throw new RefusedException($"{e.Message} To replace it while the old key stays valid for an overlap, run "
                    + $"'launchnotify keys rotate --centre {code} --dir {folder}'; to replace it outright, add --force.");
            }
            using (key)
            {
                AnsiConsole.MarkupLine($"[green]✓[/] {E(r.Text("cli.keys.generated", code, key.Kid, key.PublicJwk.Thumbprint()))}");
                AnsiConsole.MarkupLine($"  {E(r.Text("cli.keys.privateKey", KeyStore.PrivateKeyPath(folder, code)))}");
                AnsiConsole.MarkupLine($"  {E(r.Text("cli.keys.publicSet", KeyStore.TrustStorePath(folder)))}");
            }
            return Task.FromResult(ExitCodes.Ok);
        }));
        return command;
    }

    private static Command Import()
    {
        var file = new Argument<FileInfo>("file") { Description = "A counterpart's published public key: one JWK or a JWK Set ({\"keys\":[…]})." };
        var dir = Dir();
        var lang = CommonOptions.Lang();
        var timeZone = CommonOptions.TimeZone();
        var command = new Command("import", "Trust a counterpart's published public keys (EC P-256, kid '<CC>-…', no private part). A running node picks them up within a second.")
        {
            file, dir, lang, timeZone,
        };
        command.SetAction((parse, _) => Run(() =>
        {
            var r = CommonOptions.Rendering(parse, lang, timeZone);
            var path = parse.GetValue(file)!.FullName;
            var folder = parse.GetValue(dir)!.FullName;
            var keys = Refused(() => KeyStore.ReadPublicKeys(path));
            var before = File.Exists(KeyStore.TrustStorePath(folder)) ? Refused(() => KeyStore.LoadTrustedKeys(folder)) : JwkSet.Empty;
            Refused(() => KeyStore.AddToTrustStore(folder, keys));
            foreach (var key in keys.Keys)
            {
                AnsiConsole.MarkupLine(before.Find(key.Kid) is null
                    ? $"[green]✓[/] {E(r.Text("cli.keys.trusted", key.Kid, key.Centre, key.Thumbprint()))}"
                    : $"= {E(r.Text("cli.keys.alreadyTrusted", key.Kid, key.Centre, key.Thumbprint()))}");
            }
            AnsiConsole.MarkupLine($"  {E(r.Text("cli.keys.checkThumbprints"))}");
            return Task.FromResult(ExitCodes.Ok);
        }));
        return command;
    }

    private static Command Rotate()
    {
        var centre = Centre("This centre's code.");
        var dir = Dir();
        var overlap = new Option<Duration>("--overlap")
        {
            Description = "How long the previous key stays valid for verification: e.g. 72h, 7d, 30m (default 7d).",
            DefaultValueFactory = _ => DefaultOverlap,
            CustomParser = ParseDuration,
        };
        var announceTo = AnnounceTo();
        var store = NodeStoreOptions.Store();
        var config = NodeStoreOptions.Config();
        var lang = CommonOptions.Lang();
        var timeZone = CommonOptions.TimeZone();
        var command = new Command("rotate", "Make a new signing key; the previous one stays valid for verification for the overlap. With --announce-to, counterparts learn it through a key announcement signed by the previous key.")
        {
            centre, dir, overlap, announceTo, store, config, lang, timeZone,
        };
        command.SetAction((parse, ct) => Run(async () =>
        {
            var r = CommonOptions.Rendering(parse, lang, timeZone);
            var code = ParseCentre(parse.GetValue(centre)!);
            var folder = parse.GetValue(dir)!.FullName;
            var recipients = Recipients(parse.GetValue(announceTo), code);
            var options = recipients.Count > 0 ? NodeStoreOptions.Resolve(parse, store, config).Store : null;
            var now = SystemClock.Instance.GetCurrentInstant();
            // The announcement is signed with the previous key: the one counterparts already trust.
            using var previous = Refused(() => KeyStore.LoadPrivate(folder, code));
            var (key, previousKid, retiresAt) = Refused(() => KeyStore.Rotate(code, folder, parse.GetValue(overlap), now));
            using (key)
            {
                AnsiConsole.MarkupLine($"[green]✓[/] {E(r.Text("cli.keys.rotated", code, key.Kid, key.PublicJwk.Thumbprint()))}");
                AnsiConsole.MarkupLine($"  {E(r.Text("cli.keys.previousValid", previousKid, r.InstantShort(retiresAt)))}");
            }
            if (options is not null)
                await QueueAnnouncementAsync(options, folder, previous, recipients, now, r, ct);
            else
                AnsiConsole.MarkupLine($"  {E(r.Text("cli.keys.counterpartsMustLearn", r.InstantShort(retiresAt), KeyStore.PublicKeyPath(folder, code)))}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Revoke()
    {
        var kid = new Argument<string>("kid") { Description = "The key id to revoke, e.g. US-3f9a0c1b." };
        var dir = Dir();
        var at = new Option<Instant?>("--at")
        {
            Description = "Revoked from this instant on (RFC 3339 UTC, e.g. 2026-12-06T08:00:00Z; default now). Signatures checked from then on are refused.",
            CustomParser = ParseInstant,
        };
        var reason = new Option<string?>("--reason") { Description = "Why (e.g. 'key compromised'); shown with the revocation in evidence." };
        var announceTo = AnnounceTo();
        var store = NodeStoreOptions.Store();
        var config = NodeStoreOptions.Config();
        var lang = CommonOptions.Lang();
        var timeZone = CommonOptions.TimeZone();
        var command = new Command("revoke", "Mark a trusted key revoked from an instant on. A running node refuses it within a second; evidence signed before still verifies, with the revocation shown.")
        {
            kid, dir, at, reason, announceTo, store, config, lang, timeZone,
        };
        command.SetAction((parse, ct) => Run(async () =>
        {
            var r = CommonOptions.Rendering(parse, lang, timeZone);
            var id = parse.GetValue(kid)!;
            var owner = Refused(() => Jwk.CentreOfKid(id));
            var folder = parse.GetValue(dir)!.FullName;
            var recipients = Recipients(parse.GetValue(announceTo), owner);
            var options = recipients.Count > 0 ? NodeStoreOptions.Resolve(parse, store, config).Store : null;
            var now = SystemClock.Instance.GetCurrentInstant();
            var status = Refused(() => KeyStore.Revoke(folder, id, parse.GetValue(at) ?? now, parse.GetValue(reason)));
            // The reason is the operator's free text: shown as it was given.
            AnsiConsole.MarkupLine($"[green]✓[/] {E(r.Text("cli.keys.revokedFrom", id, r.InstantShort(status.RevokedAt!.Value)))}"
                + (status.Reason is null ? "" : $" ({Markup.Escape(status.Reason)})"));
            if (options is not null)
            {
                // Only a centre's own revocation is announced, signed with its current key.
                using var current = Refused(() => KeyStore.LoadPrivate(folder, owner));
                await QueueAnnouncementAsync(options, folder, current, recipients, now, r, ct);
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Announce()
    {
        var centre = Centre("This centre's code.");
        var dir = Dir();
        var to = new Option<string[]>("--to") { Description = "Counterpart centres to send the announcement to.", Required = true, AllowMultipleArgumentsPerToken = true };
        var store = NodeStoreOptions.Store();
        var config = NodeStoreOptions.Config();
        var lang = CommonOptions.Lang();
        var timeZone = CommonOptions.TimeZone();
        var command = new Command("announce", "Send counterparts a key announcement of this centre's keys as they stand (trusted, retiring, revoked), signed with its current key.")
        {
            centre, dir, to, store, config, lang, timeZone,
        };
        command.SetAction((parse, ct) => Run(async () =>
        {
            var r = CommonOptions.Rendering(parse, lang, timeZone);
            var code = ParseCentre(parse.GetValue(centre)!);
            var folder = parse.GetValue(dir)!.FullName;
            var recipients = Recipients(parse.GetValue(to), code);
            var options = NodeStoreOptions.Resolve(parse, store, config).Store;
            using var current = Refused(() => KeyStore.LoadPrivate(folder, code));
            await QueueAnnouncementAsync(options, folder, current, recipients, SystemClock.Instance.GetCurrentInstant(), r, ct);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command List()
    {
        var dir = Dir();
        var lang = CommonOptions.Lang();
        var timeZone = CommonOptions.TimeZone();
        var command = new Command("list", "The trusted keys with their thumbprints and lifecycle.") { dir, lang, timeZone };
        command.SetAction((parse, _) => Run(() =>
        {
            var r = CommonOptions.Rendering(parse, lang, timeZone);
            var folder = parse.GetValue(dir)!.FullName;
            var trusted = Refused(() => KeyStore.LoadTrustedKeys(folder));
            var statuses = Refused(() => KeyStore.LoadStatuses(folder));
            var table = new Table().AddColumns(r.Text("cli.keys.col.kid"), r.Text("cli.keys.col.centre"), r.Text("cli.keys.col.thumbprint"), r.Text("cli.keys.col.status"));
            foreach (var key in trusted.Keys)
            {
                var s = statuses.Find(key.Kid);
                // The reason for a revocation is the operator's free text: shown as it was given.
                var state = s?.RevokedAt is { } revoked ? r.Text("cli.keys.status.revoked", r.InstantShort(revoked)) + (s.Reason is null ? "" : $" ({s.Reason})")
                    : s?.RetiresAt is { } retires ? r.Text("cli.keys.status.retires", r.InstantShort(retires)) : r.Text("cli.keys.status.valid");
                table.AddRow(Markup.Escape(key.Kid), key.Centre.Value, key.Thumbprint(), Markup.Escape(state));
            }
            AnsiConsole.Write(table);
            return Task.FromResult(ExitCodes.Ok);
        }));
        return command;
    }

    private static Command Reload()
    {
        var url = CommonOptions.Url();
        var tokenFile = CommonOptions.TokenFile();
        var lang = CommonOptions.Lang();
        var timeZone = CommonOptions.TimeZone();
        var command = new Command("reload", "Ask the running publisher to read its key files now (they are also watched; a subscriber reloads on SIGHUP). Needs an administrator's token.") { url, tokenFile, lang, timeZone };
        command.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            var r = CommonOptions.Rendering(parse, lang, timeZone);
            using var client = CommonOptions.Client(parse, url, tokenFile);
            var (status, body) = await client.PostAsync("/v1/keys/reload", [], ct);
            if (status != 200)
            {
                throw PublisherClient.Refusal(status, body, r);
            }
            AnsiConsole.MarkupLine(body?["changed"]?.GetValue<bool>() == true
                ? $"[green]✓[/] {E(r.Text("cli.keys.reloaded", body["signingKid"]?.ToString() ?? "?", body["added"]?.ToJsonString() ?? "[]", body["removed"]?.ToJsonString() ?? "[]", body["statusChanged"]?.ToJsonString() ?? "[]"))}"
                : $"= {E(r.Text("cli.keys.noChange", body?["signingKid"]?.ToString() ?? "?"))}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static async Task QueueAnnouncementAsync(StorageOptions options, string folder, CentreKey signingKey, IReadOnlyList<CentreCode> recipients,
        Instant now, Presentation.Rendering r, CancellationToken ct)
    {
        await StoreMigrator.MigrateAsync(options, ct);
        await using var db = new StoreContextFactory(options).CreateDbContext();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var announcement = KeyAnnouncements.Queue(db, folder, signingKey, recipients, now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        AnsiConsole.MarkupLine("  " + E(r.Text("cli.keys.announcementQueued", announcement.MessageId.ToString("D"), signingKey.Kid, string.Join(", ", recipients),
            string.Join(", ", announcement.Keys.Keys.Select(k => k.Kid)), string.Join(", ", announcement.Retiring.Select(s => s.Kid)),
            string.Join(", ", announcement.Revoked.Select(s => s.Kid)))));
    }

    private static string E(string text) => Markup.Escape(text);

    private static List<CentreCode> Recipients(string[]? codes, CentreCode self)
    {
        var list = new List<CentreCode>();
        foreach (var code in (codes ?? []).SelectMany(c => c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var centre = ParseCentre(code);
            if (centre == self)
                throw new CliException($"Centre {self} does not announce keys to itself; list its counterparts.");
            if (!list.Contains(centre))
                list.Add(centre);
        }
        return list;
    }

    private static CentreCode ParseCentre(string code) => CentreCode.IsValid(code)
        ? new CentreCode(code)
        : throw new CliException($"'{code}' is not a centre code: two upper-case letters, e.g. US.");

    [GeneratedRegex("^(?<n>[0-9]{1,6})(?<u>[smhd])$")]
    private static partial Regex DurationText();

    private static Duration ParseDuration(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        var m = DurationText().Match(text);
        if (!m.Success)
        {
            result.AddError($"'{text}' is not a duration; write a number and a unit s, m, h or d, e.g. 72h or 7d.");
            return Duration.Zero;
        }
        var n = int.Parse(m.Groups["n"].Value);
        return m.Groups["u"].Value switch { "s" => Duration.FromSeconds(n), "m" => Duration.FromMinutes(n), "h" => Duration.FromHours(n), _ => Duration.FromDays(n) };
    }

    private static Instant? ParseInstant(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        var parsed = InstantPattern.ExtendedIso.Parse(text);
        if (parsed.Success)
            return parsed.Value;
        result.AddError($"'{text}' is not an instant; write it in UTC like 2026-12-06T08:00:00Z.");
        return null;
    }

    /// <summary>A key store refusal (bad input, not a fault): exit 1 with its message.</summary>
    private static T Refused<T>(Func<T> run)
    {
        try
        {
            return run();
        }
        catch (Exception e) when (e is KeyStoreException or KeyFormatException)
        {
            throw new RefusedException(e.Message);
        }
    }

    private sealed class RefusedException(string message) : Exception(message);

    /// <summary>Refusals exit 1, unusable arguments or files 2; an I/O fault is reported in words, never as a stack trace.</summary>
    private static async Task<int> Run(Func<Task<int>> run)
    {
        try
        {
            return await CommonOptions.Guard(run);
        }
        catch (RefusedException e)
        {
            AnsiConsole.MarkupLine($"[red]refused:[/] {Markup.Escape(e.Message)}");
            return ExitCodes.Invalid;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            return ExitCodes.Failed;
        }
    }
}
