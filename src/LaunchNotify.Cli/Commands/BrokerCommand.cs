using System.CommandLine;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Broker;
using Spectre.Console;

namespace LaunchNotify.Cli.Commands;

/// <summary>
/// <c>launchnotify broker provision --centre XX [--centre YY …] [--password-file F] [--management-url URL]</c>: the
/// vhost, exchanges, queues and centre users through <see cref="BrokerProvisioner"/>. Idempotent: a second run changes
/// nothing but passwords and permissions, which it sets to what it is given.
/// </summary>
public static class BrokerCommand
{
    /// <summary>Each centre's broker password when no password file gives it: <c>LAUNCHNOTIFY_BROKER_PASSWORD_US</c>, ….</summary>
    public const string PasswordVariablePrefix = "LAUNCHNOTIFY_BROKER_PASSWORD_";

    public static Command Create()
    {
        var centres = new Option<string[]>("--centre")
        {
            Description = "A centre to provision (repeat for several), e.g. --centre US --centre RU.",
            Required = true,
        };
        var passwordFile = new Option<FileInfo?>("--password-file")
        {
            Description = $"Centre passwords, one 'CC=password' line each (for a single --centre, a file holding only its password, " +
                $"like a node's Broker:PasswordFile). Centres it does not list take ${PasswordVariablePrefix}<CC>.",
        };
        var managementUrl = new Option<Uri?>("--management-url")
        {
            Description = $"The RabbitMQ management API (default: the local broker of infra/rabbitmq/start.sh). " +
                $"The administrator's password comes from ${BrokerAdminOptions.PasswordVariable} or .local/rabbitmq/admin-password.",
            CustomParser = CommonOptions.HttpUrl,
        };
        var topology = new Option<string>("--topology")
        {
            Description = "hub: one broker shared by the centres (default); federated: this centre's own broker, with --link to each counterpart.",
            DefaultValueFactory = _ => "hub",
        };
        topology.AcceptOnlyFromAmong("hub", "federated");
        var links = new Option<string[]>("--link")
        {
            Description = "Federated: a counterpart and its broker's TLS listener, CC=amqps://host:port (repeat for several).",
        };
        var tls = TlsOptions();
        var provision = new Command("provision", "Make the exchange's vhost, exchanges, inbox and parking queues and a broker user per centre; " +
            "federated: this centre's broker and its links (idempotent).")
        {
            centres, passwordFile, managementUrl, topology, links, tls.Dir, tls.Ca, tls.Cert, tls.Key,
        };
        provision.SetAction((parse, ct) => CommonOptions.Guard(async () =>
        {
            var codes = parse.GetValue(centres) ?? [];
            var status = await ProvisionAsync(codes, parse.GetValue(passwordFile), parse.GetValue(managementUrl), parse.GetValue(topology) == "federated", ct);
            var linkSpecs = parse.GetValue(links) ?? [];
            if (linkSpecs.Length == 0) return status;
            if (parse.GetValue(topology) != "federated")
                throw new CliException("--link belongs to --topology federated: a hub broker has no links.");
            foreach (var spec in linkSpecs)
            {
                var eq = spec.IndexOf('=');
                if (eq <= 0)
                    throw new CliException($"--link {spec}: write it CC=amqps://host:port[,amqps://host:port…], e.g. RU=amqps://localhost:5903.");
                await AddLinkAsync(codes[0], spec[..eq], spec[(eq + 1)..], tls.Read(parse), parse.GetValue(managementUrl), ct);
            }
            return ExitCodes.Ok;
        }));
        return new Command("broker", "Set up the RabbitMQ broker the centres exchange through.") { provision, LinkCommand() };
    }

    private sealed record TlsOptionSet(Option<DirectoryInfo?> Dir, Option<FileInfo?> Ca, Option<FileInfo?> Cert, Option<FileInfo?> Key)
    {
        public LinkTls? Read(ParseResult parse)
        {
            var dir = parse.GetValue(Dir);
            var (ca, cert, key) = (parse.GetValue(Ca), parse.GetValue(Cert), parse.GetValue(Key));
            if (dir is null && ca is null && cert is null && key is null) return null;
            var folder = dir is null ? null : LinkTls.InFolder(dir.FullName);
            string Pick(FileInfo? file, string? fromFolder, string option) => file?.FullName ?? fromFolder
                ?? throw new CliException($"The link's TLS files are incomplete: give --tls-dir (ca.pem, client.pem, client.key) or {option}.");
            return new LinkTls(Pick(ca, folder?.CaCertificateFile, "--ca"), Pick(cert, folder?.CertificateFile, "--cert"), Pick(key, folder?.KeyFile, "--key"));
        }
    }

    private static TlsOptionSet TlsOptions() => new(
        new Option<DirectoryInfo?>("--tls-dir") { Description = "A folder with ca.pem (the counterpart broker's CA), client.pem and client.key (this centre's link certificate, CN = its code), as infra/rabbitmq/certs.sh makes it. The broker reads these paths." },
        new Option<FileInfo?>("--ca") { Description = "The CA certificate that signed the counterpart broker's certificate (instead of --tls-dir)." },
        new Option<FileInfo?>("--cert") { Description = "This centre's link certificate (instead of --tls-dir)." },
        new Option<FileInfo?>("--key") { Description = "This centre's link key (instead of --tls-dir)." });

    private static Command LinkCommand()
    {
        var managementUrl = new Option<Uri?>("--management-url")
        {
            Description = $"This centre's broker's management API (default: the local broker). Administrator password: ${BrokerAdminOptions.PasswordVariable}.",
            CustomParser = CommonOptions.HttpUrl,
        };
        var counterpart = new Argument<string>("CC") { Description = "The counterpart centre, e.g. RU." };
        var centre = new Option<string>("--centre") { Description = "This centre (the broker's own), e.g. US.", Required = true };
        var to = new Option<string>("--to")
        {
            Description = "The counterpart broker's TLS listener, amqps://host:port (a cluster: every node, comma-separated).",
            Required = true,
        };
        var tls = TlsOptions();
        var add = new Command("add", "Link this centre's broker to a counterpart's: link queue, shovel over TLS (confirms, acks on confirm), " +
            "and the counterpart's certificate-only user here, allowed only its own messages to this centre (idempotent).")
        {
            counterpart, centre, to, managementUrl, tls.Dir, tls.Ca, tls.Cert, tls.Key,
        };
        add.SetAction((parse, ct) => CommonOptions.Guard(() =>
            AddLinkAsync(parse.GetValue(centre)!, parse.GetValue(counterpart)!, parse.GetValue(to)!, tls.Read(parse), parse.GetValue(managementUrl), ct)));

        var removeCounterpart = new Argument<string>("CC") { Description = "The counterpart centre, e.g. RU." };
        var removeUrl = new Option<Uri?>("--management-url") { Description = managementUrl.Description, CustomParser = CommonOptions.HttpUrl };
        var remove = new Command("remove", "Remove the link to a counterpart: its shovel and its user here; messages still waiting stay in the link queue.")
        {
            removeCounterpart, removeUrl,
        };
        remove.SetAction((parse, ct) => CommonOptions.Guard(() => RemoveLinkAsync(parse.GetValue(removeCounterpart)!, parse.GetValue(removeUrl), ct)));

        var statusCounterpart = new Argument<string?>("CC") { Description = "One counterpart (default: every link).", Arity = ArgumentArity.ZeroOrOne };
        var statusUrl = new Option<Uri?>("--management-url") { Description = managementUrl.Description, CustomParser = CommonOptions.HttpUrl };
        var json = new Option<bool>("--json") { Description = "JSON on standard output, nothing else." };
        var status = new Command("status", "Each link's condition (running, blocked, down, absent), backlog, confirmed forwards and last forward " +
            "(the broker is read twice, 2 s apart, to tell a blocked link from a busy one).")
        {
            statusCounterpart, statusUrl, json,
        };
        status.SetAction((parse, ct) => CommonOptions.Guard(() =>
            LinkStatusAsync(parse.GetValue(statusCounterpart), parse.GetValue(statusUrl), parse.GetValue(json), ct)));
        return new Command("link", "Federated topology: links from this centre's broker to its counterparts' brokers.") { add, remove, status };
    }

    private static CentreCode Code(string text, string what) => CentreCode.IsValid(text)
        ? new CentreCode(text)
        : throw new CliException($"{what} '{text}' is not a centre code: two upper-case letters, e.g. RU.");

    private static async Task<T> OnBrokerAsync<T>(BrokerAdminOptions admin, Func<BrokerProvisioner, Task<T>> work)
    {
        using var provisioner = new BrokerProvisioner(admin);
        try
        {
            return await work(provisioner);
        }
        catch (BrokerUnavailableException e)
        {
            throw new CliException($"RabbitMQ is not running or not reachable at {admin.ManagementUri}: run infra/rabbitmq/start.sh " +
                $"(or give --management-url of a running broker). ({e.InnerException?.Message ?? e.Message})");
        }
        catch (BrokerProvisioningException e)
        {
            throw new CliException(e.Message);
        }
        catch (ArgumentException e)
        {
            throw new CliException(e.Message);
        }
    }

    private static async Task<int> AddLinkAsync(string self, string counterpart, string toList, LinkTls? tls, Uri? managementUrl, CancellationToken ct)
    {
        var destinations = new List<Uri>();
        foreach (var text in toList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            destinations.Add(Uri.TryCreate(text, UriKind.Absolute, out var u) ? u
                : throw new CliException($"'{text}' is not a broker address: write amqps://host:port, e.g. amqps://localhost:5903."));
        if (destinations.Count == 0)
            throw new CliException("Give the counterpart broker's TLS listener: --to amqps://host:port.");
        var to = destinations[0];
        var own = Code(self, "--centre");
        var other = Code(counterpart, "The counterpart");
        if (tls is null)
            throw new CliException("A link runs over TLS: give --tls-dir (ca.pem, client.pem, client.key; infra/rabbitmq/certs.sh makes them) or --ca, --cert and --key.");
        if (destinations.SelectMany(d => CentreLink.Problems(d, tls)).Distinct().ToList() is { Count: > 0 } problems)
            throw new CliException(string.Join(" ", problems));
        foreach (var file in new[] { tls.CaCertificateFile, tls.CertificateFile, tls.KeyFile }.Where(f => !File.Exists(f)))
            throw new CliException($"No such file: {file} (the broker must be able to read it at that path).");
        var admin = Administrator(managementUrl);
        var link = new CentreLink(other, to, tls) { AlternateDestinations = destinations[1..] };
        await OnBrokerAsync(admin, async p => { await p.ProvisionLinkAsync(own, link, ct); return 0; });
        AnsiConsole.Console.MarkupLine($"[green]✓[/] {Markup.Escape(link.ToString())}: queue {BrokerTopology.LinkQueue(other)}, shovel {BrokerTopology.LinkName(other)} " +
            $"(TLS, acks on confirm), inbound user {other} (certificate only, may deliver only {other}→{own})");
        return ExitCodes.Ok;
    }

    private static async Task<int> RemoveLinkAsync(string counterpart, Uri? managementUrl, CancellationToken ct)
    {
        var other = Code(counterpart, "The counterpart");
        var waiting = await OnBrokerAsync(Administrator(managementUrl), p => p.RemoveLinkAsync(other, ct));
        AnsiConsole.Console.MarkupLine(waiting == 0
            ? $"[green]✓[/] link to {other} removed (its queue was empty and is gone)"
            : $"[yellow]![/] link to {other} removed; {waiting} message(s) still wait in {BrokerTopology.LinkQueue(other)}: add the link again to deliver them.");
        return ExitCodes.Ok;
    }

    private static async Task<int> LinkStatusAsync(string? counterpart, Uri? managementUrl, bool json, CancellationToken ct)
    {
        var only = counterpart is null ? (CentreCode?)null : Code(counterpart, "The counterpart");
        var tracker = new LinkTracker(NodaTime.Duration.FromSeconds(2));
        var clock = NodaTime.SystemClock.Instance;
        var states = await OnBrokerAsync(Administrator(managementUrl), async p =>
        {
            async Task<IReadOnlyList<LinkObservation>> ObserveAsync() =>
                only is { } c ? [await p.ObserveLinkAsync(c, ct)] : await p.ObserveLinksAsync(ct);
            foreach (var o in await ObserveAsync()) tracker.Observe(o, clock.GetCurrentInstant());
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            return (await ObserveAsync()).Select(o => tracker.Observe(o, clock.GetCurrentInstant())).ToList();
        });
        if (json)
        {
            Console.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(states.Select(s => new
            {
                counterpart = s.Counterpart.Value, condition = s.Condition.ToString().ToLowerInvariant(), s.ShovelState, s.Reason, s.Node,
                s.Backlog, s.InFlight, s.Forwarded, s.LastForwardAt, s.NotForwardingSince, s.ObservedAt,
            }), LaunchNotify.Protocol.Json.WireJson.Options));
            return ExitCodes.Ok;
        }
        if (states.Count == 0)
        {
            AnsiConsole.Console.MarkupLine("No links on this broker (hub topology, or none added yet: launchnotify broker link add CC ...).");
            return ExitCodes.Ok;
        }
        var table = new Table().AddColumns("link to", "condition", "shovel", "backlog", "in flight", "forwarded", "last forward seen", "node");
        foreach (var s in states)
            table.AddRow(s.Counterpart.Value, s.Condition == LinkCondition.Running ? "[green]running[/]" : $"[red]{s.Condition.ToString().ToLowerInvariant()}[/]",
                Markup.Escape(s.ShovelState ?? "-") + (s.Reason is { Length: > 0 } r ? " " + Markup.Escape(r) : ""),
                s.Backlog.ToString(), s.InFlight.ToString(), s.Forwarded?.ToString() ?? "-",
                s.LastForwardAt?.ToString() ?? "-", Markup.Escape(s.Node ?? "-"));
        AnsiConsole.Console.Write(table);
        return ExitCodes.Ok;
    }

    private static async Task<int> ProvisionAsync(string[] codes, FileInfo? passwordFile, Uri? managementUrl, bool federated, CancellationToken ct)
    {
        var invalid = codes.Where(c => !CentreCode.IsValid(c)).ToList();
        if (invalid.Count > 0)
            throw new CliException($"Not a centre code: {string.Join(", ", invalid)}. A centre code is two upper-case letters, e.g. US.");
        var centres = codes.Distinct().Select(c => new CentreCode(c)).ToList();
        if (federated && centres.Count != 1)
            throw new CliException("--topology federated provisions one centre's own broker: give exactly one --centre (its counterparts come with --link).");
        var credentials = ReadPasswords(centres, passwordFile);
        var admin = Administrator(managementUrl);

        using var provisioner = new BrokerProvisioner(admin);
        try
        {
            await provisioner.ProvisionAsync(credentials, ct);
        }
        catch (BrokerUnavailableException e)
        {
            throw new CliException($"RabbitMQ is not running or not reachable at {admin.ManagementUri}: run infra/rabbitmq/start.sh " +
                $"(or give --management-url of a running broker). ({e.InnerException?.Message ?? e.Message})");
        }
        catch (BrokerProvisioningException e)
        {
            throw new CliException(e.Message);
        }

        var console = AnsiConsole.Console;
        console.MarkupLine($"[green]✓[/] broker {Markup.Escape(admin.ManagementUri.ToString())}: vhost {BrokerTopology.VirtualHost}, " +
            $"exchanges {BrokerTopology.Exchange}, {BrokerTopology.ParkingExchange}, {BrokerTopology.AlarmExchange}");
        foreach (var c in credentials)
            console.MarkupLine($"[green]✓[/] centre {c.Centre}: inbox {BrokerTopology.InboxQueue(c.Centre)}, parked {BrokerTopology.ParkedQueue(c.Centre)}, " +
                $"broker user {c.Centre} with its password set (not shown)");
        return ExitCodes.Ok;
    }

    /// <summary>The password file first, then the environment; every centre needs one, and none is ever printed.</summary>
    private static List<CentreCredential> ReadPasswords(IReadOnlyList<CentreCode> centres, FileInfo? passwordFile)
    {
        var fromFile = passwordFile is null ? new Dictionary<string, string>() : ReadPasswordFile(passwordFile, centres);
        var credentials = new List<CentreCredential>();
        var missing = new List<string>();
        foreach (var centre in centres)
        {
            var password = fromFile.GetValueOrDefault(centre.Value) is { Length: > 0 } p ? p
                : Environment.GetEnvironmentVariable(PasswordVariablePrefix + centre.Value) is { Length: > 0 } v ? v : null;
            if (password is null)
                missing.Add(centre.Value);
            else
                credentials.Add(new CentreCredential(centre, password));
        }
        if (missing.Count > 0)
            throw new CliException($"No broker password for {string.Join(", ", missing)}: " +
                $"give --password-file with a 'CC=password' line per centre, or set {string.Join(", ", missing.Select(m => PasswordVariablePrefix + m))}.");
        return credentials;
    }

    private static Dictionary<string, string> ReadPasswordFile(FileInfo file, IReadOnlyList<CentreCode> centres)
    {
        if (!file.Exists)
            throw new CliException($"No such password file: {file.FullName}");
        try
        {
            Protocol.Signing.SecretFiles.RequireOwnerOnly(file.FullName, "The password file");
        }
        catch (Protocol.Signing.KeyStoreException e)
        {
            throw new CliException(e.Message);
        }
        var lines = File.ReadAllLines(file.FullName).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        if (lines.Count == 1 && !lines[0].Contains('=') && centres.Count == 1)
            return new Dictionary<string, string> { [centres[0].Value] = lines[0] };

        var passwords = new Dictionary<string, string>();
        foreach (var (line, index) in lines.Select((l, i) => (l, i)))
        {
            var separator = line.IndexOf('=');
            var centre = separator > 0 ? line[..separator].Trim() : "";
            if (!CentreCode.IsValid(centre))
                throw new CliException($"{file.FullName}, entry {index + 1}: expected 'CC=password' with a centre code such as US " +
                    "(a file holding only a password works for a single --centre).");
            if (!passwords.TryAdd(centre, line[(separator + 1)..].Trim()))
                throw new CliException($"{file.FullName}: centre {centre} is listed twice; keep one line per centre.");
        }
        return passwords;
    }

    private static BrokerAdminOptions Administrator(Uri? managementUrl)
    {
        if (managementUrl is null)
            return LocalAdministrator();

        var url = managementUrl.AbsoluteUri.EndsWith('/') ? managementUrl : new Uri(managementUrl.AbsoluteUri + "/");
        var password = Environment.GetEnvironmentVariable(BrokerAdminOptions.PasswordVariable);
        if (string.IsNullOrEmpty(password))
        {
            try
            {
                password = LocalAdministrator().Password;
            }
            catch (CliException)
            {
                throw new CliException($"No administrator password for {url}: set {BrokerAdminOptions.PasswordVariable}.");
            }
        }
        return new BrokerAdminOptions(url, BrokerAdminOptions.DefaultUser, password);
    }

    private static BrokerAdminOptions LocalAdministrator()
    {
        try
        {
            return BrokerAdminOptions.ForLocalBroker(RepoRoot.Find());
        }
        catch (InvalidOperationException e)
        {
            throw new CliException(e.Message);
        }
    }
}
