using Spectre.Console;

namespace LaunchNotify.Bench;

/// <summary>The targets, reported PASS or MISS (never asserted: the machine is shared and noisy).</summary>
public static class Targets
{
    public const double MinRatio = 0.5;
    public const double MaxP99Ms = 20;
    public const double MaxIdleMs = 10;
    public const double MaxSubscriberRssMb = 200;
    public const int FullSeedRows = 1_000_000;
    public const double MaxFanOutP99Ms = 1000;
    public const double MinSeedSpeedUp = 20;
    public const double MaxPostgresCpuRatio = 1.5;
    public const double MinScaleOutRatio = 1.0;

    public static void Evaluate(BenchResult r)
    {
        if (r.Throughput is { } tp && r.Floor is { } floor)
        {
            r.Ratio = Math.Round(tp.NotificationsPerSecond / (floor.MessagesPerSecond / 2), 3);
            r.Targets.Add(new TargetResult("pipeline ÷ (floor ÷ 2)", $"≥ {MinRatio}", $"{r.Ratio:0.000} ({tp.NotificationsPerSecond:N0} notif/s vs {floor.MessagesPerSecond:N0} msg/s)",
                r.Ratio >= MinRatio ? "PASS" : "MISS"));
        }
        if (r.Idle is { } idle)
            r.Targets.Add(new TargetResult("one notification on an idle system: submit→confirmed", $"≤ {MaxIdleMs} ms", $"p50 {idle.SubmitToConfirmed.P50Ms:0.0} ms, max {idle.SubmitToConfirmed.MaxMs:0.0} ms",
                idle.SubmitToConfirmed.MaxMs <= MaxIdleMs ? "PASS" : "MISS", $"{idle.Confirmed} notifications, each after the last was confirmed"));
        if (r.FixedRate is { } rate)
            r.Targets.Add(new TargetResult($"p99 submit→confirmed at {rate.OfferedPerSecond}/s", $"≤ {MaxP99Ms} ms", $"{rate.SubmitToConfirmed.P99Ms:0.0} ms",
                rate.SubmitToConfirmed.P99Ms <= MaxP99Ms ? "PASS" : "MISS"));
        if (r.SubscriberMemory is { } memory && (r.Throughput is not null || r.FixedRate is not null))
            r.Targets.Add(new TargetResult("subscriber RSS with 1M stored", $"≤ {MaxSubscriberRssMb} MB", $"{memory.RssMbAfterRuns:0} MB (peak {memory.PeakRssMb:0})",
                memory.RssMbAfterRuns <= MaxSubscriberRssMb ? "PASS" : "MISS",
                memory.SeededRows >= FullSeedRows ? null : $"with {memory.SeededRows:N0} rows seeded; --full seeds 1M"));
        foreach (var run in new[] { r.Idle, r.Throughput, r.FixedRate }.OfType<PipelineRun>())
            r.Targets.Add(new TargetResult($"{run.Name}: every notification confirmed", "all", $"{run.Confirmed}/{run.Submitted}",
                run.Confirmed == run.Submitted ? "PASS" : "MISS", run.Errors.Count > 0 ? string.Join("; ", run.Errors) : null));
        if (r.ScaleOut.Count > 0)
        {
            var one = r.ScaleOut.FirstOrDefault(s => s.Instances == 1)?.DrainPerSecond;
            var text = string.Join(", ", r.ScaleOut.Select(s => $"×{s.Instances}: {s.DrainPerSecond:N0}/s" + (one is > 0 ? $" ({s.DrainPerSecond / one:0.00}×)" : "")));
            r.Targets.Add(new TargetResult("subscriber instances on one inbox: every message stored once and confirmed", "all", text,
                r.ScaleOut.All(s => s.Stored >= s.Messages && s.Confirmed >= s.Messages) ? "PASS" : "MISS"));
            // The measure on this 2-core machine: two instances drain at least as fast as one (×4 reported beside it).
            if (one is > 0 && r.ScaleOut.FirstOrDefault(s => s.Instances == 2) is { } two)
                r.Targets.Add(new TargetResult("scale-out: ×2 drains at least as fast as ×1", $"×2 ≥ {MinScaleOutRatio:0.0}× of ×1",
                    string.Join(", ", r.ScaleOut.Where(s => s.Instances > 1).Select(s => $"×{s.Instances}: {s.DrainPerSecond / one:0.00}×")),
                    two.DrainPerSecond / one >= MinScaleOutRatio ? "PASS" : "MISS", "drain rate between 10 % and 90 % of the backlog, PostgreSQL store"));
        }
        if (r.HotPath?.PostgresCpuRatio is { } pgRatio)
        {
            var hot = r.HotPath;
            r.Targets.Add(new TargetResult("node CPU per notification, PostgreSQL ÷ SQLite (hot path)", $"≤ {MaxPostgresCpuRatio:0.0}×",
                $"{pgRatio:0.00}× ({hot.PostgresCpuMsPerNotification:0.00} vs {hot.CpuMsPerNotification:0.00} ms)", pgRatio <= MaxPostgresCpuRatio ? "PASS" : "MISS",
                $"the PostgreSQL server's own CPU besides: {hot.PostgresServerCpuMsPerNotification:0.00} ms/notification"));
        }
        if (r.FanOut is { } fan)
        {
            r.Targets.Add(new TargetResult($"fan-out to {fan.Recipients}: p99 submit→receipt applied", $"≤ {MaxFanOutP99Ms:N0} ms", $"{fan.SubmitToReceiptApplied.P99Ms:0} ms",
                fan.SubmitToReceiptApplied.P99Ms <= MaxFanOutP99Ms ? "PASS" : "MISS", $"over {fan.SubmitToReceiptApplied.Count} receipts of {fan.Notifications} notification(s)"));
            r.Targets.Add(new TargetResult($"fan-out to {fan.Recipients}: every notification confirmed by every recipient", "all",
                $"{fan.ReceiptsApplied}/{fan.ReceiptsExpected} receipts applied", fan.ReceiptsApplied == fan.ReceiptsExpected && fan.ReceiptsExpected > 0 ? "PASS" : "MISS",
                fan.Errors.Count > 0 ? string.Join("; ", fan.Errors) : null));
        }
        if (r.Seed?.CpuRatio is { } ratio)
            r.Targets.Add(new TargetResult($"seed replay: {r.Seed.Runs[0].Days} days, reference ÷ fast CPU", $"≥ {MinSeedSpeedUp}×", $"{ratio:0.00}×",
                ratio >= MinSeedSpeedUp ? "PASS" : "MISS", "reference = the seeder's pace before (SeedOptions.Reference), same run"));
        foreach (var t in r.Topology)
            r.Targets.Add(new TargetResult($"{t.Centres} centres: provision + route", "all routed", $"provision {t.ProvisionSeconds:0.0} s, route {t.RoutingSeconds * 1000:0} ms, {t.Routed}/{t.Centres}",
                t.AllCorrect ? "PASS" : "MISS"));
    }
}

/// <summary>The readable form of a <see cref="BenchResult"/>.</summary>
public static class Report
{
    public static void Write(IAnsiConsole console, BenchResult r)
    {
        console.Write(new Rule($"[bold]Results[/] ({r.Mode}, {r.Machine.Cores} cores, load at start {Markup.Escape(r.Machine.LoadAverageAtStart)})").LeftJustified());
        if (r.Floor is { } f)
        {
            var floor = new Table().Title("Floor: plain RabbitMQ.Client, quorum queue, persistent, confirms, manual ack").AddColumns("", "value");
            floor.AddRow("message size", $"{f.MessageBytes} B (a real signed pre-notification)");
            floor.AddRow("throughput", $"{f.MessagesPerSecond:N0} msg/s ({f.Messages:N0} messages, {f.Window} unconfirmed at most, prefetch {f.Prefetch})");
            floor.AddRow("publish → delivered, pipelined", f.PublishToDelivered.ToString());
            floor.AddRow("publish → delivered, one at a time", f.SequentialPublishToDelivered.ToString());
            console.Write(floor);
        }
        var runs = new[] { r.Idle, r.Throughput, r.FixedRate }.OfType<PipelineRun>().ToList();
        if (runs.Count > 0)
        {
            var table = new Table().Title("Pipeline US → RU: submit → validate → sign → store → publish → verify → store → receipt → confirmed")
                .AddColumns("run", "confirmed", "notif/s", "submit→202", "submit→confirmed p50", "p95", "p99", "max");
            foreach (var run in runs)
                table.AddRow(Markup.Escape(run.Name), $"{run.Confirmed}/{run.Submitted}", $"{run.NotificationsPerSecond:N1}", $"{run.SubmitToAccepted.P50Ms:0.0} ms",
                    $"{run.SubmitToConfirmed.P50Ms:0.0} ms", $"{run.SubmitToConfirmed.P95Ms:0.0} ms", $"{run.SubmitToConfirmed.P99Ms:0.0} ms", $"{run.SubmitToConfirmed.MaxMs:0.0} ms");
            console.Write(table);

            var stages = new Table().Title("Where the time goes (stamps in the stores; p50 / p99 ms)").AddColumn("stage");
            foreach (var run in runs) stages.AddColumn(Markup.Escape(run.Name));
            foreach (var stage in runs[0].Stages.Keys)
                stages.AddRow([Markup.Escape(stage), .. runs.Select(run => run.Stages.TryGetValue(stage, out var s) && s.Count > 0 ? $"{s.P50Ms:0.0} / {s.P99Ms:0.0}" : "-")]);
            console.Write(stages);

            var processes = new Table().Title("Processes (CPU over the run; memory at its end)").AddColumns("run", "process", "CPU s", "CPU ms/notif", "RSS MB", "peak RSS MB");
            foreach (var run in runs)
                foreach (var p in run.Processes)
                    processes.AddRow(Markup.Escape(run.Name), Markup.Escape(p.Name), $"{p.CpuSeconds:0.00}", $"{p.CpuMsPerNotification:0.000}", $"{p.RssMb:0}", $"{p.PeakRssMb:0}");
            console.Write(processes);
        }
        if (r.SubscriberMemory is { } m)
            console.MarkupLine($"RU subscriber with {m.SeededRows:N0} inbox rows seeded ({m.SeedSeconds:0.0} s to seed) plus the runs: RSS {m.RssMbAfterRuns:0} MB, peak {m.PeakRssMb:0} MB");
        if (r.ScaleOut.Count > 0)
        {
            var table = new Table().Title("Scale-out: RU subscriber instances on one inbox, PostgreSQL store, draining a backlog")
                .AddColumns("instances", "messages", "drain msg/s", "all stored s", "all confirmed s", "duplicate receipts",
                    "CPU ms/msg per instance, 50–90 % (all instances)", "CPU ms/msg per instance from its start", "RSS MB per instance");
            foreach (var s in r.ScaleOut)
                table.AddRow($"{s.Instances}", $"{s.Messages}", $"{s.DrainPerSecond:N1}", $"{s.SecondsToAllStored:0.0}", $"{s.SecondsToAllConfirmed:0.0}",
                    $"{s.DuplicateReceiptsAtSender}",
                    string.Join(" ", s.SteadySubscribers.Select(p => $"{p.CpuMsPerNotification:0.00}")) + $" ({s.SteadySubscribers.Sum(p => p.CpuMsPerNotification):0.00})",
                    string.Join(" ", s.Subscribers.Select(p => $"{p.CpuMsPerNotification:0.00}")), string.Join(" ", s.Subscribers.Select(p => $"{p.RssMb:0}")));
            console.Write(table);
        }
        if (r.Topology.Count > 0)
        {
            var table = new Table().Title("Provisioning (BrokerProvisioner) and routing (one publish per inbox, confirmed, checked)")
                .AddColumns("centres", "provision s", "ms/centre", "route + check ms", "routed", "removal s");
            foreach (var t in r.Topology)
                table.AddRow($"{t.Centres}", $"{t.ProvisionSeconds:0.00}", $"{t.ProvisionMsPerCentre:0}", $"{t.RoutingSeconds * 1000:0}", $"{t.Routed}/{t.Centres}", $"{t.CleanupSeconds:0.0}");
            console.Write(table);
        }
        if (r.FanOut is { } fan)
        {
            var table = new Table().Title($"Fan-out: one hcoc notification to {fan.Recipients} counterparts (responder: verify, signed receipt), one at a time")
                .AddColumns("", "value");
            table.AddRow("receipts applied at the sender", $"{fan.ReceiptsApplied}/{fan.ReceiptsExpected} ({fan.NotificationsAllApplied}/{fan.Notifications} notifications complete)");
            table.AddRow("submit → 202", fan.SubmitToAccepted.ToString());
            table.AddRow("submit → each receipt applied", $"{fan.SubmitToReceiptApplied} / max {fan.SubmitToReceiptApplied.MaxMs:0.0} ms");
            table.AddRow("submit → all receipts applied", $"{fan.SubmitToAllApplied} / max {fan.SubmitToAllApplied.MaxMs:0.0} ms");
            foreach (var (stage, s) in fan.Stages)
                table.AddRow(Markup.Escape(stage), s.Count > 0 ? $"{s.P50Ms:0.0} / {s.P99Ms:0.0} ms (p50 / p99)" : "-");
            table.AddRow("responder", $"{fan.Responder.Notifications} notifications, {fan.Responder.AcceptedReceipts} accepted receipts, {fan.Responder.RejectedReceipts} rejections, " +
                $"{fan.Responder.OtherDeliveries} other, {fan.Responder.Refused} refused");
            table.AddRow("provisioning", $"{fan.ProvisionSeconds:0.0} s (keys and broker users for {fan.Recipients + 1} centres)");
            foreach (var p in fan.Processes)
                table.AddRow(Markup.Escape(p.Name), $"CPU {p.CpuSeconds:0.00} s, {p.CpuMsPerNotification:0.0} ms/notification; RSS {p.RssMb:0} MB");
            console.Write(table);
        }
        if (r.Seed is { } seed)
        {
            var table = new Table().Title("Seed replay: launchnotify seed's engine, five reference centres, in this process after a warm-up")
                .AddColumns("pace", "days", "notifications", "messages", "wall s", "CPU s", "notif/s", "msg/s", "CPU ms/day");
            foreach (var run in seed.Runs)
                table.AddRow(run.Pace, $"{run.Days}", $"{run.Notifications}", $"{run.Messages}", $"{run.WallSeconds:0.0}", $"{run.CpuSeconds:0.0}",
                    $"{run.NotificationsPerSecond:0.0}", $"{run.MessagesPerSecond:0}", $"{run.CpuMsPerDay:0}");
            console.Write(table);
        }
        if (r.HotPath is { } hot)
        {
            var table = new Table().Title("Hot path: one notification's node work in this process (no broker, no HTTP), per message of a block after a warm-up")
                .AddColumns("path", "messages", "wall ms", "CPU ms", "allocated KB");
            foreach (var run in hot.Runs)
                table.AddRow(Markup.Escape(run.Path), $"{run.Messages}", $"{run.WallMs:0.000}", $"{run.CpuMs:0.000}", $"{run.AllocatedKb:0.0}");
            table.AddRow("[bold]one notification, all three[/]", "", $"{hot.Runs.Sum(x => x.WallMs):0.000}", $"{hot.CpuMsPerNotification:0.000}", $"{hot.AllocatedKbPerNotification:0.0}");
            if (hot.PostgresRuns is { } pg)
            {
                foreach (var run in pg)
                    table.AddRow(Markup.Escape("PostgreSQL: " + run.Path), $"{run.Messages}", $"{run.WallMs:0.000}",
                        $"{run.CpuMs:0.000} (server {run.ServerCpuMs:0.000})", $"{run.AllocatedKb:0.0}");
                table.AddRow("[bold]PostgreSQL: one notification, all three[/]", "", $"{pg.Sum(x => x.WallMs):0.000}",
                    $"{hot.PostgresCpuMsPerNotification:0.000} (server {hot.PostgresServerCpuMsPerNotification:0.000})", $"{hot.PostgresAllocatedKbPerNotification:0.0}");
            }
            console.Write(table);
        }
        foreach (var note in r.Notes)
            console.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}");
        var targets = new Table().Title("Targets").AddColumns("target", "wanted", "measured", "", "note");
        foreach (var t in r.Targets)
            targets.AddRow(Markup.Escape(t.Name), Markup.Escape(t.Target), Markup.Escape(t.Measured),
                t.Status == "PASS" ? "[green]PASS[/]" : "[red]MISS[/]", Markup.Escape(t.Note ?? ""));
        console.Write(targets);
    }
}
