using System.Diagnostics;
using System.Security.Cryptography;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Broker;
using RabbitMQ.Client;

namespace LaunchNotify.Bench;

/// <summary>
/// Provisioning and routing with N centres: time to provision them through <see cref="BrokerProvisioner"/>, then one
/// centre publishes one message to every inbox (routing key &lt;recipient&gt;.&lt;sender&gt;.prenotification, mandatory,
/// confirmed) and each inbox must hold exactly that one message. The centres are removed afterwards.
/// </summary>
public static class TopologyBenchmark
{
    /// <summary>Codes from ZZ downwards, skipping the ones the demo, the tests and the reference agreements use.</summary>
    public static IReadOnlyList<CentreCode> Codes(int count) => CodesDownFrom('Z', new HashSet<string> { "US", "RU", "CN", "FR", "GB", "IN", "PK" }, count);

    /// <summary><paramref name="count"/> two-letter codes from <paramref name="first"/>Z downwards, none of <paramref name="reserved"/>.</summary>
    public static IReadOnlyList<CentreCode> CodesDownFrom(char first, IReadOnlySet<string> reserved, int count)
    {
        var codes = new List<CentreCode>();
        for (var a = first; a >= 'A' && codes.Count < count; a--)
            for (var b = 'Z'; b >= 'A' && codes.Count < count; b--)
                if (!reserved.Contains($"{a}{b}"))
                    codes.Add(new CentreCode($"{a}{b}"));
        return codes;
    }

    public static async Task<TopologyResult> RunAsync(BenchEnvironment env, int count, Action<string, double> progress, CancellationToken ct)
    {
        var centres = Codes(count).Select(c => new CentreCredential(c, Convert.ToHexString(RandomNumberGenerator.GetBytes(16)))).ToList();
        using var provisioner = new BrokerProvisioner(env.Admin);
        var watch = Stopwatch.StartNew();
        await provisioner.ProvisionSharedAsync(ct);
        for (var i = 0; i < centres.Count; i++)
        {
            await provisioner.ProvisionCentreAsync(centres[i], ct);
            progress($"{count} centres: provisioning", 0.7 * (i + 1) / centres.Count);
        }
        var provisionSeconds = watch.Elapsed.TotalSeconds;

        var routed = 0;
        var misrouted = 0;
        double routingSeconds;
        try
        {
            var sender = centres[0];
            watch.Restart();
            await using (var connection = await env.ConnectAsync(sender.Centre.Value, sender.Password, "bench-routing", ct))
            await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true), ct))
            {
                // Bounded: a confirm that never comes fails the phase loudly instead of hanging the run.
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(120));
                await Task.WhenAll(centres.Select(recipient => channel.BasicPublishAsync(BrokerTopology.Exchange,
                    $"{recipient.Centre}.{sender.Centre}.prenotification", mandatory: true,
                    new BasicProperties
                    {
                        MessageId = $"route-{recipient.Centre}",
                        DeliveryMode = DeliveryModes.Persistent,
                        UserId = sender.Centre.Value,
                        ContentType = "application/jose+json",
                    }, "{}"u8.ToArray(), timeout.Token).AsTask())).WaitAsync(TimeSpan.FromSeconds(125), ct);
            }

            // Each inbox must hold exactly its own message, nothing else.
            await using var admin = await env.ConnectAsAdminAsync("bench-routing-check", ct);
            await using var check = await admin.CreateChannelAsync(cancellationToken: ct);
            foreach (var (recipient, i) in centres.Select((c, i) => (c, i)))
            {
                var queue = BrokerTopology.InboxQueue(recipient.Centre);
                var got = await check.BasicGetAsync(queue, autoAck: true, ct);
                var extra = await check.BasicGetAsync(queue, autoAck: true, ct);
                if (got?.BasicProperties.MessageId == $"route-{recipient.Centre}" && got.RoutingKey.StartsWith(recipient.Centre.Value + ".") && extra is null)
                    routed++;
                else
                    misrouted++;
                if (i % 10 == 0)
                    progress($"{count} centres: checking routes", 0.7 + 0.2 * (i + 1) / centres.Count);
            }
            routingSeconds = watch.Elapsed.TotalSeconds;
        }
        finally
        {
            watch.Restart();
            foreach (var (centre, i) in centres.Select((c, i) => (c, i)))
            {
                await provisioner.DeleteCentreAsync(centre.Centre, deleteQueues: true, CancellationToken.None);
                progress($"{count} centres: removing", 0.9 + 0.1 * (i + 1) / centres.Count);
            }
        }
        return new TopologyResult(count, Math.Round(provisionSeconds, 2), Math.Round(provisionSeconds * 1000 / count, 1), Math.Round(routingSeconds, 3),
            routed, misrouted, routed == count && misrouted == 0, Math.Round(watch.Elapsed.TotalSeconds, 2));
    }
}
