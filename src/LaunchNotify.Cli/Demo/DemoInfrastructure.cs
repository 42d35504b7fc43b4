using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using LaunchNotify.Cli.Commands;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Broker;
using LaunchNotify.Protocol.Signing;
using Spectre.Console;

namespace LaunchNotify.Cli.Demo;

/// <summary>The demo's set-up: the project's local broker, the centres' broker users and keys, readiness checks.</summary>
public static class DemoInfrastructure
{
    public sealed record Broker(string Host, int Port, BrokerAdminOptions Admin);

    /// <summary>The publishers' HTTP ports are this one and the next few (LAUNCHNOTIFY_DEMO_HTTP_PORT moves them, e.g. for a second clone).</summary>
    public static int FirstHttpPort =>
        int.TryParse(Environment.GetEnvironmentVariable("LAUNCHNOTIFY_DEMO_HTTP_PORT"), out var port) ? port : 5181;

    public static async Task<Broker> EnsureBrokerAsync(string repo, IAnsiConsole console, CancellationToken ct)
    {
        const string host = "127.0.0.1";
        // The same variable the infra scripts read, so a second clone can run its own node beside this one.
        var port = int.TryParse(Environment.GetEnvironmentVariable("LAUNCHNOTIFY_AMQP_PORT"), out var p) ? p : 5682;
        if (await BrokerProbe.IsReachableAsync(host, port, null, ct))
        {
            console.MarkupLine($"[green]✓[/] reusing the local RabbitMQ on {host}:{port}");
        }
        else
        {
            console.MarkupLine($"Starting the project's RabbitMQ node (infra/rabbitmq/start.sh)…");
            var start = Process.Start(new ProcessStartInfo("bash", [Path.Combine(repo, "infra", "rabbitmq", "start.sh")]) { UseShellExecute = false })
                ?? throw new CliException("Could not run infra/rabbitmq/start.sh.");
            await start.WaitForExitAsync(ct);
            if (start.ExitCode != 0 || !await BrokerProbe.IsReachableAsync(host, port, null, ct))
                throw new CliException($"RabbitMQ did not start (infra/rabbitmq/start.sh exited {start.ExitCode}). See .local/rabbitmq/log/ and retry infra/rabbitmq/start.sh.");
            console.MarkupLine($"[green]✓[/] RabbitMQ running on {host}:{port}");
        }
        return new Broker(host, port, BrokerAdminOptions.ForLocalBroker(repo));
    }

    /// <summary>Fresh keys, broker users and folders for each centre; every centre trusts every other centre's public key.</summary>
    public static async Task<IReadOnlyList<CentreNode>> PrepareCentresAsync(string repo, string folder, IReadOnlyList<string> centres, Broker broker,
        IAnsiConsole console, CancellationToken ct)
    {
        var keys = Path.Combine(folder, "keys");
        var nodes = new List<CentreNode>();
        foreach (var (code, index) in centres.Select((c, i) => (c, i)))
        {
            var centre = new CentreCode(code);
            var nodeFolder = Path.Combine(folder, code);
            Directory.CreateDirectory(nodeFolder);
            KeyStore.Generate(centre, keys, overwrite: true);
            var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            nodes.Add(new CentreNode(centre, $"http://127.0.0.1:{FirstHttpPort + index}", nodeFolder, password, keys)
            {
                Counterparts = [.. centres.Where(c => c != code).Select(c => new CentreCode(c))],
            });
        }
        console.MarkupLine($"[green]✓[/] generated ES256 keys for {string.Join(", ", centres)} and published their JWK Set ({Path.GetRelativePath(repo, keys)}/jwks.json)");

        using var provisioner = new BrokerProvisioner(broker.Admin);
        await provisioner.ProvisionAsync(nodes.Select(n => new CentreCredential(n.Centre, n.BrokerPassword)), ct);
        console.MarkupLine($"[green]✓[/] provisioned vhost {BrokerTopology.VirtualHost}: exchange {BrokerTopology.Exchange}, an inbox quorum queue, a parking queue and a broker user per centre");
        return nodes;
    }

    /// <summary>Ready = the publisher answers /health and the subscriber consumes its inbox queue.</summary>
    public static async Task WaitUntilReadyAsync(CentreNode node, Broker broker, NodeProcesses processes, CancellationToken ct, TimeSpan? within = null)
    {
        var bound = within ?? TimeSpan.FromSeconds(180); // a bound: on a loaded machine a node takes a minute to start
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        using var admin = new HttpClient { BaseAddress = broker.Admin.ManagementUri, Timeout = TimeSpan.FromSeconds(2) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{broker.Admin.User}:{broker.Admin.Password}")));
        var waited = Stopwatch.StartNew();
        bool publisherUp = false, subscriberUp = false;
        while (waited.Elapsed < bound)
        {
            if (processes.FirstExited() is { } dead)
                throw new CliException($"{dead.Name} exited with code {dead.ExitCode} while starting; see {node.Folder}/.");
            try
            {
                publisherUp = publisherUp || (await http.GetAsync(node.HttpUrl + "/health", ct)).IsSuccessStatusCode;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            try
            {
                var queue = JsonNode.Parse(await admin.GetStringAsync(
                    $"api/queues/{Uri.EscapeDataString(BrokerTopology.VirtualHost)}/{Uri.EscapeDataString(BrokerTopology.InboxQueue(node.Centre))}", ct));
                subscriberUp = subscriberUp || queue?["consumers"]?.GetValue<int>() > 0;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            if (publisherUp && subscriberUp)
                return;
            await Task.Delay(200, ct);
        }
        throw new CliException($"Centre {node.Centre} did not become ready within {bound.TotalSeconds:0} s (publisher {(publisherUp ? "up" : "down")}, " +
            $"subscriber {(subscriberUp ? "consuming" : "not consuming")}); see the logs in {node.Folder}/.");
    }
}
