using LaunchNotify.Node.Accounts;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LaunchNotify.Cli.Commands;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Broker;
using LaunchNotify.Protocol.Signing;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;

namespace LaunchNotify.Cli.Demo;

/// <summary>
/// <c>launchnotify demo --federated</c>: US, RU and CN each on its own broker (US's a 3-node cluster) from
/// infra/rabbitmq/federation.sh, linked by shovels over TLS. Real publisher and subscriber processes per centre. Three
/// acts: a notification and its receipts cross the links; US's link to RU is stopped and restarted (everything
/// delivered once, lateness measured at real receipt, LINK_SILENT from the link's state); a node of US's cluster is
/// killed with kill -9 while messages flow both ways. Exits 0 only if every step ended as expected.
/// </summary>
public static class FederatedDemo
{
    private static readonly CentreCode Us = new("US"), Ru = new("RU"), Cn = new("CN");
    private static readonly CentreCode[] Centres = [Us, Ru, Cn];
    private static readonly Duration LinkSilentAfter = Duration.FromSeconds(10);

    private sealed record BrokerInfo(CentreCode Centre, IReadOnlyList<(string Node, int Amqp, int Amqps, int Management)> Nodes, BrokerAdminOptions Admin,
        string TlsDirectory, string AdminPasswordFile);

    public static async Task<int> RunAsync(int outageSeconds, int timeoutSeconds, CancellationToken ct)
    {
        var console = AnsiConsole.Console;
        var repo = RepoRoot.Find();
        var timeout = TimeSpan.FromSeconds(timeoutSeconds);
        var folder = Path.Combine(repo, ".local", "demo-federated");
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        console.Write(new Rule("[bold]LaunchNotify federated demo[/]: US, RU and CN, each on its own broker, linked over TLS").LeftJustified());

        await ScriptAsync(repo, ct, "start");
        var brokers = Describe(await ScriptAsync(repo, ct, "describe"));
        var keys = Path.Combine(folder, "keys");
        var passwords = Centres.ToDictionary(c => c, _ => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
        foreach (var centre in Centres)
            KeyStore.Generate(centre, keys, overwrite: true);

        foreach (var b in brokers.Values)
        {
            using var provisioner = new BrokerProvisioner(b.Admin);
            await provisioner.ProvisionAsync([new CentreCredential(b.Centre, passwords[b.Centre])], ct);
            foreach (var other in Centres.Where(o => o != b.Centre))
                await provisioner.ProvisionLinkAsync(b.Centre, LinkTo(brokers, b.Centre, other), ct);
            // A fresh start: what an earlier run left queued would arrive signed by keys this run no longer trusts.
            await provisioner.PurgeQueuesAsync([BrokerTopology.InboxQueue(b.Centre), BrokerTopology.ParkedQueue(b.Centre),
                .. Centres.Where(o => o != b.Centre).Select(BrokerTopology.LinkQueue)], ct);
        }
        var table = new Table().AddColumns("centre", "broker nodes", "AMQP", "AMQP/TLS", "links (shovel, TLS, certificate login)");
        foreach (var b in brokers.Values)
            table.AddRow(b.Centre.Value, string.Join(", ", b.Nodes.Select(n => n.Node)), string.Join(",", b.Nodes.Select(n => n.Amqp)),
                string.Join(",", b.Nodes.Select(n => n.Amqps)), string.Join(", ", Centres.Where(o => o != b.Centre).Select(o => $"→{o}")));
        console.Write(table);

        var nodes = Centres.Select((c, i) => Node(repo, folder, keys, brokers[c], passwords[c], i)).ToList();
        // The API is for signed-in people (docs/security.md): each centre gets its demo accounts before it starts.
        using var accounts = new DemoAccounts();
        await accounts.CreateAsync(nodes, ct);
        await using var processes = new NodeProcesses(repo, RepoRoot.BuildConfiguration());
        await console.Status().StartAsync("Starting publisher and subscriber processes…", async status =>
        {
            foreach (var node in nodes)
            {
                processes.Start(node, "LaunchNotify.Publisher", "publisher");
                processes.Start(node, "LaunchNotify.Subscriber", "subscriber");
            }
            foreach (var node in nodes)
            {
                status.Status($"Waiting for centre {node.Centre}…");
                var b = brokers[node.Centre];
                await DemoInfrastructure.WaitUntilReadyAsync(node, new DemoInfrastructure.Broker("127.0.0.1", b.Nodes[0].Amqp, b.Admin), processes, ct,
                    TimeSpan.FromSeconds(Math.Max(180, timeoutSeconds))); // six processes beside five broker nodes start slowly on a small machine
            }
        });
        console.MarkupLine($"[green]✓[/] 3 centres running, each on its own broker: " +
            string.Join(", ", nodes.Select(n => $"{n.Centre} (API {n.HttpUrl}, logs {Path.GetRelativePath(repo, n.Folder)}/)")));
        await accounts.SignInAsync(nodes, ct);
        var api = nodes.ToDictionary(n => n.Centre, n => accounts.Client(n.Centre.Value, NodeRoles.Operator));
        var ok = true;
        foreach (var node in nodes)
        {
            // Links are (re)started by the provisioning above: wait until each centre's monitor sees them run.
            var running = await WaitForAsync(async () => (await api[node.Centre].GetAsync("/v1/links", ct)).Body is { } v
                && v["links"]?.AsArray() is { Count: 2 } links && links.All(l => l?["condition"]?.GetValue<string>() == "running") ? v : null,
                TimeSpan.FromSeconds(Math.Max(120, timeoutSeconds)), ct);
            console.MarkupLine(running is null ? $"[red]✗[/] {node.Centre}'s links did not all run" : $"[green]✓[/] {node.Centre}'s links run");
            ok &= running is not null;
        }

        // Act 1: across two links each way.
        console.Write(new Rule("1. US notifies RU and CN; each receipt comes back over the counterpart's own link").LeftJustified());
        var first = await SubmitAsync(api[Us], Drill(Duration.FromHours(3), Ru, Cn), ct);
        ok &= await AwaitConfirmedAsync(console, api[Us], [first], timeout, processes, ct);
        await PrintDeliveryAsync(console, api[Us], first, ct);

        // Act 2: the broker's own link stopped, then restarted.
        console.Write(new Rule($"2. US's link to RU stopped for {outageSeconds} s, then restarted").LeftJustified());
        using (var usBroker = new BrokerProvisioner(brokers[Us].Admin))
        {
            await usBroker.SuspendLinkAsync(Ru, ct);
            var stoppedAt = SystemClock.Instance.GetCurrentInstant();
            console.MarkupLine($"[yellow]![/] {stoppedAt}: shovel {BrokerTopology.LinkName(Ru)} on US's broker stopped");
            var margin = Duration.FromSeconds(Math.Max(5, outageSeconds / 2));
            var tight = await SubmitAsync(api[Us], Drill(Duration.FromHours(1) + margin, Ru), ct);
            var normal = await SubmitAsync(api[Us], Drill(Duration.FromHours(3), Ru), ct);
            console.MarkupLine($"  submitted {Short(tight)} (p5-demo wants 1 h of notice; issued {DurationText(Duration.FromHours(1) + margin)} ahead) and {Short(normal)}");
            var silent = await WaitForAsync(async () => (await api[Us].GetAsync("/v1/alarms?kind=LINK_SILENT&open=true", ct)).Body?.AsArray()
                .FirstOrDefault(a => a?["counterpart"]?.GetValue<string>() == "RU"), TimeSpan.FromSeconds(LinkSilentAfter.TotalSeconds + 30), ct);
            console.MarkupLine(silent is null ? "[red]✗[/] no LINK_SILENT at US" : $"[green]✓[/] US raised LINK_SILENT: {Markup.Escape(silent["summary"]!.GetValue<string>())}");
            ok &= silent is not null;
            PrintLinks(console, (await api[Us].GetAsync("/v1/links", ct)).Body);
            var rest = stoppedAt + Duration.FromSeconds(outageSeconds) - SystemClock.Instance.GetCurrentInstant();
            if (rest > Duration.Zero) await Task.Delay(rest.ToTimeSpan(), ct);
            await usBroker.ProvisionLinkAsync(Us, LinkTo(brokers, Us, Ru), ct);
            var restartedAt = SystemClock.Instance.GetCurrentInstant();
            console.MarkupLine($"[green]✓[/] {restartedAt}: link restarted (broker link add RU)");
            ok &= await AwaitConfirmedAsync(console, api[Us], [tight, normal], timeout, processes, ct);
            foreach (var id in new[] { tight, normal })
                await PrintDeliveryAsync(console, api[Us], id, ct);
            var late = (await api[Ru].GetAsync("/v1/alarms?kind=LATE_NOTIFICATION", ct)).Body?.AsArray()
                .FirstOrDefault(a => a?["messageId"]?.GetValue<string>() == tight.ToString());
            console.MarkupLine(late is null ? "[red]✗[/] RU did not find the delayed notice late"
                : $"[green]✓[/] RU, lateness at real receipt: {Markup.Escape(late["summary"]!.GetValue<string>())}");
            ok &= late is not null;
            var resolved = silent is null ? null : await WaitForAsync(async () => (await api[Us].GetAsync($"/v1/alarms/{silent["id"]}", ct)).Body
                is { } a && a["state"]?.GetValue<string>() == "resolved" ? a : null, TimeSpan.FromSeconds(30), ct);
            console.MarkupLine(resolved is null ? "[red]✗[/] LINK_SILENT not resolved" : "[green]✓[/] LINK_SILENT resolved when the link forwarded again");
            ok &= resolved is not null;
        }

        // Act 3: a node of US's cluster killed.
        console.Write(new Rule("3. us1, a node of US's 3-node cluster, killed with kill -9 while messages flow both ways").LeftJustified());
        var stream = new List<(PublisherClient Api, Guid Id)>();
        for (var i = 0; i < 6; i++)
        {
            if (i == 2) console.MarkupLine("[yellow]![/] " + Markup.Escape(await ScriptAsync(repo, ct, "kill", "us1")));
            stream.Add((api[Us], await SubmitAsync(api[Us], Drill(Duration.FromHours(3), Ru), ct)));
            stream.Add((api[Ru], await SubmitAsync(api[Ru], Drill(Duration.FromHours(3), Us), ct)));
            stream.Add((api[Cn], await SubmitAsync(api[Cn], Drill(Duration.FromHours(3), Us), ct)));
        }
        foreach (var group in stream.GroupBy(s => s.Api))
            ok &= await AwaitConfirmedAsync(console, group.Key, [.. group.Select(g => g.Id)], TimeSpan.FromSeconds(Math.Max(120, timeoutSeconds)), processes, ct);
        console.MarkupLine("  restarting us1 (it rejoins its cluster)…");
        await ScriptAsync(repo, ct, "start-node", "us1");

        console.Write(new Rule(ok ? "[green]Every step ended as expected[/]" : "[red]Some steps did not end as expected[/]").LeftJustified());
        console.MarkupLine($"Brokers keep running (infra/rabbitmq/federation.sh stop); logs under {Path.GetRelativePath(repo, folder)}/.");
        return ok ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static CentreLink LinkTo(IReadOnlyDictionary<CentreCode, BrokerInfo> brokers, CentreCode from, CentreCode to)
    {
        var ports = brokers[to].Nodes.Select(n => n.Amqps).ToList();
        return new CentreLink(to, new Uri($"amqps://localhost:{ports[0]}"), LinkTls.InFolder(brokers[from].TlsDirectory))
        {
            AlternateDestinations = [.. ports.Skip(1).Select(p => new Uri($"amqps://localhost:{p}"))],
            ReconnectDelaySeconds = 2,
        };
    }

    private static CentreNode Node(string repo, string folder, string keys, BrokerInfo broker, string password, int index)
    {
        var nodeFolder = Path.Combine(folder, broker.Centre.Value);
        Directory.CreateDirectory(nodeFolder);
        var environment = new Dictionary<string, string>
        {
            ["LaunchNotify__Broker__Host"] = "127.0.0.1",
            ["LaunchNotify__Broker__Port"] = broker.Nodes[0].Amqp.ToString(),
            ["LaunchNotify__Topology__Kind"] = "federated",
            ["LaunchNotify__Topology__Management__Url"] = string.Join(",", broker.Nodes.Select(n => $"http://127.0.0.1:{n.Management}/")),
            ["LaunchNotify__Topology__Management__PasswordFile"] = broker.AdminPasswordFile,
            ["LaunchNotify__Topology__LinkSilentAfter"] = LinkSilentAfter.ToTimeSpan().ToString("c"),
            ["LaunchNotify__Topology__LinkPollInterval"] = "00:00:01",
        };
        if (broker.Nodes.Count > 1)
            environment["LaunchNotify__Broker__ClusterNodes"] = string.Join(",", broker.Nodes.Select(n => $"127.0.0.1:{n.Amqp}"));
        return new CentreNode(broker.Centre, $"http://127.0.0.1:{DemoInfrastructure.FirstHttpPort + 10 + index}", nodeFolder, password, keys)
        {
            Environment = environment,
        };
    }

    private static async Task<Guid> SubmitAsync(PublisherClient api, JsonObject draft, CancellationToken ct)
    {
        var (status, body) = await api.PostAsync("/v1/notifications", Encoding.UTF8.GetBytes(draft.ToJsonString()), ct);
        if (status != 202 || body?["messageId"]?.GetValue<string>() is not { } id)
            throw new CliException($"{api.BaseUrl} refused a demo drill ({status}): {body?.ToJsonString()}");
        return Guid.Parse(id);
    }

    private static async Task<bool> AwaitConfirmedAsync(IAnsiConsole console, PublisherClient api, IReadOnlyList<Guid> ids, TimeSpan timeout,
        NodeProcesses processes, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var pending = ids.ToHashSet();
        while (pending.Count > 0 && clock.Elapsed < timeout)
        {
            if (processes.FirstExited() is { } dead)
                throw new CliException($"{dead.Name} exited with code {dead.ExitCode}; see its log.");
            foreach (var id in pending.ToList())
                if ((await api.GetAsync($"/v1/notifications/{id}", ct)).Body?["overall"]?.GetValue<string>() == "confirmed")
                    pending.Remove(id);
            if (pending.Count > 0) await Task.Delay(250, ct);
        }
        console.MarkupLine(pending.Count == 0
            ? $"[green]✓[/] {ids.Count} message(s) from {api.BaseUrl} confirmed by every recipient ({clock.Elapsed.TotalSeconds:0.0} s)"
            : $"[red]✗[/] {pending.Count} of {ids.Count} from {api.BaseUrl} not confirmed within {timeout.TotalSeconds:0} s: {string.Join(", ", pending.Select(Short))}");
        return pending.Count == 0;
    }

    private static async Task PrintDeliveryAsync(IAnsiConsole console, PublisherClient api, Guid id, CancellationToken ct)
    {
        var status = (await api.GetAsync($"/v1/notifications/{id}", ct)).Body;
        foreach (var r in status?["recipients"]?.AsArray() ?? [])
            console.MarkupLine($"  {Short(id)} → {r?["centre"]}: published {r?["publishedAt"]}, received at {r?["centre"]} {r?["recipientReceivedAt"]}, " +
                $"confirmed {r?["confirmedAt"]}{(r?["findings"]?.AsArray().Count > 0 ? " [yellow](" + Markup.Escape(string.Join("; ", r!["findings"]!.AsArray().Select(f => f?["code"]))) + ")[/]" : "")}");
    }

    private static void PrintLinks(IAnsiConsole console, JsonNode? view)
    {
        var table = new Table().AddColumns("US's link to", "condition", "shovel", "backlog", "in flight", "forwarded", "last forward", "not forwarding since");
        foreach (var l in view?["links"]?.AsArray() ?? [])
            table.AddRow(Text(l, "counterpart"), Text(l, "condition"), Text(l, "shovelState"), Text(l, "backlog"), Text(l, "inFlight"),
                Text(l, "forwarded"), Text(l, "lastForwardAt"), Text(l, "notForwardingSince"));
        console.Write(table);

        static string Text(JsonNode? n, string key) => Markup.Escape(n?[key]?.ToString() ?? "-");
    }

    private static async Task<JsonNode?> WaitForAsync(Func<Task<JsonNode?>> probe, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (await probe() is { } found) return found;
            await Task.Delay(500, ct);
        }
        return null;
    }

    private static JsonObject Drill(Duration ahead, params CentreCode[] recipients)
    {
        var now = SystemClock.Instance.GetCurrentInstant();
        return new JsonObject
        {
            ["agreementId"] = "p5-demo",
            ["recipients"] = new JsonArray([.. recipients.Select(r => (JsonNode)JsonValue.Create(r.Value))]),
            ["launchWindow"] = new JsonObject
            {
                ["start"] = InstantPattern.ExtendedIso.Format(now + ahead),
                ["end"] = InstantPattern.ExtendedIso.Format(now + ahead + Duration.FromHours(2)),
            },
            ["missile"] = new JsonObject { ["class"] = "SLBM", ["type"] = "demo missile", ["count"] = 1, ["groupLaunch"] = false, ["rangeKm"] = 7400 },
            ["launchArea"] = new JsonObject { ["type"] = "circle", ["name"] = "Demo launch area", ["centre"] = new JsonObject { ["lat"] = 28.5, ["lon"] = -79.0 }, ["radiusKm"] = 20 },
            ["impactAreas"] = new JsonArray(new JsonObject { ["type"] = "circle", ["name"] = "Demo impact area", ["centre"] = new JsonObject { ["lat"] = -5.0, ["lon"] = -20.0 }, ["radiusKm"] = 60 }),
        };
    }

    private static string Short(Guid id) => id.ToString()[..8];

    private static string DurationText(Duration d) => Domain.Timeliness.DurationText.Format(d);

    private static IReadOnlyDictionary<CentreCode, BrokerInfo> Describe(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var result = new Dictionary<CentreCode, BrokerInfo>();
        foreach (var c in doc.RootElement.GetProperty("centres").EnumerateArray())
        {
            var centre = new CentreCode(c.GetProperty("centre").GetString()!);
            var nodes = c.GetProperty("nodes").EnumerateArray().Select(n => (n.GetProperty("node").GetString()!, n.GetProperty("amqp").GetInt32(),
                n.GetProperty("amqps").GetInt32(), n.GetProperty("management").GetInt32())).ToList();
            var passwordFile = c.GetProperty("adminPasswordFile").GetString()!;
            var admin = new BrokerAdminOptions(new Uri($"http://127.0.0.1:{nodes[0].Item4}/"), BrokerAdminOptions.DefaultUser, File.ReadAllText(passwordFile).Trim());
            result[centre] = new BrokerInfo(centre, nodes, admin, c.GetProperty("tlsDir").GetString()!, passwordFile);
        }
        return result;
    }

    /// <summary>Runs infra/rabbitmq/federation.sh; its standard output is returned, a failure ends the demo with its output.</summary>
    private static async Task<string> ScriptAsync(string repo, CancellationToken ct, params string[] arguments)
    {
        var info = new ProcessStartInfo("bash", [Path.Combine(repo, "infra", "rabbitmq", "federation.sh"), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = repo,
        };
        using var process = Process.Start(info) ?? throw new CliException("Could not run infra/rabbitmq/federation.sh.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
            throw new CliException($"infra/rabbitmq/federation.sh {string.Join(' ', arguments)} failed (exit {process.ExitCode}): {await stdout}{await stderr}");
        return (await stdout).Trim();
    }
}
