using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Broker;
using LaunchNotify.Protocol.Agreements;
using NodaTime;
using NodaTime.Text;

namespace LaunchNotify.Bench;

/// <summary>
/// Fan-out (issue 12, item 4): one <c>hcoc</c> pre-notification from the real US publisher to N counterpart centres
/// (142 by default: the Code's other subscribers), each provisioned on the real broker with its own user, inbox and
/// signing key, and played by <see cref="FanOutResponder"/>. The nodes load a bench-only copy of the agreements in
/// which hcoc has the sender and those N centres as parties (the shipped hcoc agreement is not touched). Notifications
/// go one at a time: each is submitted, then the run waits until every recipient's receipt is applied in the sender's
/// store. Latency is submission start → the store's <c>ReceiptAt</c> of each delivery. The centres are removed afterwards.
/// </summary>
public static class FanOutBenchmark
{
    /// <summary>The recipient list of a pre-notification and an agreement's parties allow at most 250 (the sender is one).</summary>
    public const int MaxRecipients = 249;

    /// <summary>How long one notification may go without a new receipt applied before the run gives up on it.</summary>
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(30);

    /// <summary>And how long it may take at most, whatever happens.</summary>
    private static readonly TimeSpan NotificationCap = TimeSpan.FromSeconds(120);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Codes from QZ downwards (the topology phase takes ZZ to SI), skipping every party of the shipped agreements and
    /// the codes the tests use, so that removing them afterwards never touches a centre of the demo or a test.
    /// </summary>
    public static IReadOnlyList<CentreCode> Codes(int count)
    {
        if (count is < 1 or > MaxRecipients)
            throw new InvalidOperationException($"The fan-out takes 1 to {MaxRecipients} recipients (an agreement has at most 250 parties, the sender included); got {count}.");
        var reserved = AgreementCatalog.Default.All.SelectMany(a => a.Parties).Select(c => c.Value).ToHashSet();
        reserved.UnionWith(["CC", "DE", "EC", "IL", "IR", "JP", "KP", "KR", "NE"]);
        return TopologyBenchmark.CodesDownFrom('Q', reserved, count);
    }

    public static async Task<FanOutResult> RunAsync(BenchEnvironment env, BenchOptions options, string folder,
        Func<string, Action<string, double>> phase, CancellationToken ct)
    {
        var recipients = options.FanOutRecipients;
        var codes = Codes(recipients);
        var sender = NodeCluster.Sender;
        var setup = phase($"fan-out: set-up ({recipients} counterpart centres)");
        var watch = Stopwatch.StartNew();
        NodeCluster? cluster = null;
        FanOutResponder? responder = null;
        try
        {
            setup($"fan-out: keys and broker users for {recipients} centres", 0);
            cluster = await NodeCluster.PrepareAsync(env, folder, options.ExistingPasswords, [sender, .. codes], [], ct);
            var provisionSeconds = watch.Elapsed.TotalSeconds;
            cluster.AgreementsDirectory = WriteAgreements(env.RepoRoot, Path.Combine(folder, "agreements"), sender, codes);

            setup("fan-out: starting US publisher and US subscriber", 0.3);
            cluster.StartPublisher(sender);
            cluster.StartSubscriber(sender);
            await cluster.WaitUntilReadyAsync(true, new Dictionary<CentreCode, int> { [sender] = 1 }, ct);
            responder = await FanOutResponder.StartAsync(env, cluster, sender, codes,
                n => setup($"fan-out: responder connected as {n}/{recipients} centres", 0.4 + 0.3 * n / recipients), ct);

            using var http = new HttpClient { BaseAddress = cluster.PublisherUrl, Timeout = TimeSpan.FromSeconds(60) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await cluster.OperatorTokenAsync(ct));
            using var store = BenchEnvironment.OpenReadOnly(cluster.StorePath(sender));
            var template = Draft(SystemClock.Instance.GetCurrentInstant(), codes).ToJsonString();

            // Warm-up: JIT and caches in both nodes for this agreement and this many recipients. Not measured.
            for (var i = 0; i < options.FanOutWarmUp; i++)
            {
                setup($"fan-out: warm-up {i + 1}/{options.FanOutWarmUp}", 0.7 + 0.3 * i / Math.Max(1, options.FanOutWarmUp));
                var warm = await PipelineDriver.SubmitAsync(http, template, ct);
                if (!warm.Accepted)
                    throw new InvalidOperationException($"The publisher refused the fan-out warm-up notification: HTTP {warm.HttpStatus} {warm.Error}");
                await WaitAppliedAsync(store, warm.MessageId, recipients, _ => { }, ct);
            }
            setup("fan-out: ready", 1);

            var progress = phase($"fan-out: {options.FanOutNotifications} notification(s) × {recipients} recipients");
            List<ProcessSample> Samples() => [.. cluster.Processes.Select(p => p.Sample()),
                .. env.BrokerPid() is { } broker ? [ProcessSample.Read("rabbitmq", broker)] : Array.Empty<ProcessSample>(),
                ProcessSample.Read("bench (responder + client)", Environment.ProcessId)];
            var before = Samples();
            var sent = new List<Submission>();
            for (var i = 0; i < options.FanOutNotifications; i++)
            {
                var submission = await PipelineDriver.SubmitAsync(http, template, ct);
                sent.Add(submission);
                if (submission.Accepted)
                    await WaitAppliedAsync(store, submission.MessageId, recipients,
                        n => progress("", (i + (double)n / recipients) / options.FanOutNotifications), ct);
            }
            var after = Samples();
            var result = Summarize(store, recipients, sent, before, after, responder);
            progress($"fan-out: {result.ReceiptsApplied}/{result.ReceiptsExpected} receipts applied, p99 {result.SubmitToReceiptApplied.P99Ms:0} ms", 1);
            return result with { ProvisionSeconds = Math.Round(provisionSeconds, 2), AgreementsDirectory = cluster.AgreementsDirectory };
        }
        finally
        {
            if (responder is not null)
                await responder.DisposeAsync();
            if (cluster is not null)
                await cluster.DisposeAsync();
            // Every counterpart goes, whether or not the run got that far (deleting one that is not there is fine).
            var cleanup = phase("fan-out: removing the counterpart centres");
            using var provisioner = new BrokerProvisioner(env.Admin);
            foreach (var (code, i) in codes.Select((c, i) => (c, i)))
            {
                await provisioner.DeleteCentreAsync(code, deleteQueues: true, CancellationToken.None);
                if (i % 10 == 0)
                    cleanup("", (i + 1.0) / codes.Count);
            }
            cleanup("fan-out: counterpart centres removed", 1);
        }
    }

    /// <summary>
    /// The shipped agreements, with hcoc's parties replaced by the sender and <paramref name="codes"/>: a bench-only
    /// folder the nodes load through their normal configuration (LaunchNotify:AgreementsDirectory).
    /// </summary>
    public static string WriteAgreements(string repoRoot, string directory, CentreCode sender, IReadOnlyList<CentreCode> codes)
    {
        var source = Path.Combine(repoRoot, "agreements");
        Directory.CreateDirectory(Path.Combine(directory, "boundaries"));
        foreach (var file in Directory.GetFiles(source, "*.json"))
            File.Copy(file, Path.Combine(directory, Path.GetFileName(file)), overwrite: true);
        foreach (var file in Directory.GetFiles(Path.Combine(source, "boundaries"), "*.json"))
            File.Copy(file, Path.Combine(directory, "boundaries", Path.GetFileName(file)), overwrite: true);

        var hcoc = JsonNode.Parse(File.ReadAllText(Path.Combine(source, "hcoc.json")))!.AsObject();
        hcoc["parties"] = new JsonArray([.. new[] { sender }.Concat(codes).Select(c => JsonValue.Create(c.Value))]);
        foreach (var assumption in hcoc["assumptions"]?.AsArray() ?? [])
            if (assumption?["parameter"]?.GetValue<string>() == "parties")
                assumption["note"] = $"Benchmark only (bench/LaunchNotify.Bench, fan-out phase): {sender} and {codes.Count} generated counterpart centres, " +
                    "as many as the Code's other subscribers. The shipped agreements/hcoc.json is the real one.";
        File.WriteAllText(Path.Combine(directory, "hcoc.json"), hcoc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return directory;
    }

    /// <summary>A valid hcoc pre-notification from the US to every code (30 h ahead), its id a placeholder.</summary>
    private static JsonObject Draft(Instant now, IReadOnlyList<CentreCode> codes)
    {
        string At(double hours) => InstantPattern.ExtendedIso.Format(now + Duration.FromMinutes((long)(hours * 60)));
        return new JsonObject
        {
            ["messageId"] = "@ID@",
            ["agreementId"] = "hcoc",
            ["recipients"] = new JsonArray([.. codes.Select(c => JsonValue.Create(c.Value))]),
            ["launchWindow"] = new JsonObject { ["start"] = At(30), ["end"] = At(34) },
            ["missile"] = new JsonObject { ["class"] = "ICBM", ["type"] = "LGM-30G Minuteman III", ["count"] = 1 },
            ["launchArea"] = new JsonObject
            {
                ["type"] = "circle", ["name"] = "Vandenberg SFB, LF-10", ["centre"] = new JsonObject { ["lat"] = 34.74, ["lon"] = -120.57 }, ["radiusKm"] = 10,
            },
            ["plannedDirection"] = "west-south-west, over the Pacific towards Kwajalein",
            ["remarks"] = "Operational test launch, unarmed re-entry vehicle.",
        };
    }

    /// <summary>Until every delivery of the message has its receipt applied, or nothing moved for <see cref="Stall"/>, or the cap.</summary>
    private static async Task<int> WaitAppliedAsync(Microsoft.Data.Sqlite.SqliteConnection store, Guid messageId, int recipients, Action<int> progress, CancellationToken ct)
    {
        using var command = store.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM Deliveries WHERE MessageId IN ($upper, $lower) AND ReceiptAt IS NOT NULL";
        command.Parameters.AddWithValue("$upper", messageId.ToString("D").ToUpperInvariant());
        command.Parameters.AddWithValue("$lower", messageId.ToString("D"));
        var total = Stopwatch.StartNew();
        var lastChange = Stopwatch.StartNew();
        var seen = -1;
        while (true)
        {
            var applied = Convert.ToInt32(command.ExecuteScalar());
            progress(applied);
            if (applied >= recipients)
                return applied;
            if (applied != seen)
            {
                seen = applied;
                lastChange.Restart();
            }
            else if (lastChange.Elapsed > Stall || total.Elapsed > NotificationCap)
            {
                return applied;
            }
            await Task.Delay(PollInterval, ct);
        }
    }

    private static FanOutResult Summarize(Microsoft.Data.Sqlite.SqliteConnection store, int recipients, IReadOnlyList<Submission> sent,
        IReadOnlyList<ProcessSample> before, IReadOnlyList<ProcessSample> after, FanOutResponder responder)
    {
        var rows = new List<(Guid MessageId, long Submitted, string Status, long? Published, long? Received, long? Receipt)>();
        using (var command = store.CreateCommand())
        {
            command.CommandText = """
                SELECT o.MessageId, o.SubmittedAt, d.Status, d.PublishedAt, d.RecipientReceivedAt, d.ReceiptAt
                FROM OutboundMessages o JOIN Deliveries d ON d.MessageId = o.MessageId
                """;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                long? At(int i) => reader.IsDBNull(i) ? null : reader.GetInt64(i);
                rows.Add((Guid.Parse(reader.GetString(0)), reader.GetInt64(1), reader.GetString(2), At(3), At(4), At(5)));
            }
        }
        var byMessage = rows.ToLookup(r => r.MessageId);

        static double Ms(long fromUnixTicks, long toUnixTicks) => (toUnixTicks - fromUnixTicks) / (double)TimeSpan.TicksPerMillisecond;
        var applied = new List<double>();
        var allApplied = new List<double>();
        var intake = new List<double>();
        var stored = new List<double>();
        var dispatch = new List<double>();
        var delivery = new List<double>();
        var receipt = new List<double>();
        var confirmed = 0;
        var rejected = 0;
        var accepted = sent.Where(s => s.Accepted).ToList();
        foreach (var s in accepted)
        {
            var start = s.StartWall.ToUnixTimeTicks();
            // The 202 on the same clock: the client's wall-clock start plus the stopwatch's elapsed time to the answer.
            var answered = start + Stopwatch.GetElapsedTime(s.StartTicks, s.AcceptedTicks).Ticks;
            var deliveries = byMessage[s.MessageId].ToList();
            confirmed += deliveries.Count(d => d.Status == "Confirmed");
            rejected += deliveries.Count(d => d.Status == "Rejected");
            foreach (var d in deliveries.Where(d => d.Status == "Confirmed"))
            {
                var at = d.Receipt!.Value;
                applied.Add(Ms(start, at));
                intake.Add(Ms(start, d.Submitted));
                stored.Add(Ms(d.Submitted, answered));
                if (d.Published is { } published)
                    dispatch.Add(Ms(answered, published));
                if (d.Published is { } p && d.Received is { } r)
                    delivery.Add(Ms(p, r));
                if (d.Received is { } received)
                    receipt.Add(Ms(received, at));
            }
            if (deliveries.Count == recipients && deliveries.All(d => d.Status == "Confirmed"))
                allApplied.Add(deliveries.Max(d => Ms(start, d.Receipt!.Value)));
        }

        var errors = sent.Where(s => !s.Accepted).GroupBy(s => $"HTTP {s.HttpStatus}: {s.Error}").Select(g => $"{g.Count()} × {g.Key}").ToList();
        if (rejected > 0)
            errors.Add($"{rejected} receipt(s) were rejections, not acceptances");
        errors.AddRange(responder.Errors.Select(e => "responder: " + e));
        return new FanOutResult
        {
            Recipients = recipients,
            Notifications = sent.Count,
            Accepted = accepted.Count,
            ReceiptsExpected = sent.Count * recipients,
            ReceiptsApplied = confirmed,
            NotificationsAllApplied = allApplied.Count,
            SubmitToAccepted = LatencySummary.From(accepted.Select(s => Stopwatch.GetElapsedTime(s.StartTicks, s.AcceptedTicks).TotalMilliseconds)),
            SubmitToReceiptApplied = LatencySummary.From(applied),
            SubmitToAllApplied = LatencySummary.From(allApplied),
            Stages = new Dictionary<string, LatencySummary>
            {
                ["1 client → publisher intake"] = LatencySummary.From(intake),
                ["2 intake → stored and answered (202)"] = LatencySummary.From(stored),
                ["3 answered → publish confirmed"] = LatencySummary.From(dispatch),
                ["4 publish confirmed → recipient received"] = LatencySummary.From(delivery),
                ["5 recipient received → sender applied receipt"] = LatencySummary.From(receipt),
            },
            Processes = PipelineDriver.Usage(before, after, Math.Max(1, sent.Count)),
            Responder = new FanOutResponderCounts(responder.Notifications, responder.Receipts, responder.Rejections, responder.Others, responder.Refused),
            Errors = errors,
        };
    }
}
