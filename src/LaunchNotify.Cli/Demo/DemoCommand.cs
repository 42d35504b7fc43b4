using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using LaunchNotify.Cli.Commands;
using LaunchNotify.Node.Accounts;
using LaunchNotify.Domain.Values;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;

namespace LaunchNotify.Cli.Demo;

/// <summary>
/// <c>launchnotify demo</c>: US, RU and CN centres, each a real publisher and subscriber process, exchange signed
/// notifications through the project's local RabbitMQ; prints the timeline and exits 0 only if every step ended as
/// expected.
/// </summary>
public static class DemoCommand
{
    private static readonly string[] Centres = ["US", "RU", "CN"];

    public static Command Create()
    {
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for every receipt.", DefaultValueFactory = _ => 60 };
        var keep = new Option<bool>("--keep-running") { Description = "Leave the centres running after the demo (stop with Ctrl+C)." };
        var federated = new Option<bool>("--federated")
        {
            Description = "Each centre on its own broker (infra/rabbitmq/federation.sh: US a 3-node cluster), linked by shovels over TLS: " +
                "links crossed, a link stopped and restarted, a cluster node killed (docs/deployment.md).",
        };
        var outage = new Option<int>("--outage") { Description = "With --federated: seconds US's link to RU stays stopped.", DefaultValueFactory = _ => 30 };
        var lang = CommonOptions.Lang();
        var timeZone = CommonOptions.TimeZone();
        var command = new Command("demo", "Run an end-to-end exchange among US, RU and CN over the local broker and print its timeline.")
        {
            timeout, keep, federated, outage, lang, timeZone,
        };
        command.SetAction((parse, ct) => CommonOptions.Guard(() => parse.GetValue(federated)
            ? FederatedDemo.RunAsync(Math.Max(1, parse.GetValue(outage)), parse.GetValue(timeout), ct)
            : RunAsync(parse.GetValue(timeout), parse.GetValue(keep), CommonOptions.Rendering(parse, lang, timeZone), ct)));
        return command;
    }

    private static async Task<int> RunAsync(int timeoutSeconds, bool keepRunning, Presentation.Rendering rendering, CancellationToken ct)
    {
        var console = AnsiConsole.Console;
        var repo = RepoRoot.Find();
        var configuration = RepoRoot.BuildConfiguration();
        var folder = Path.Combine(repo, ".local", "demo");
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);

        console.Write(new Rule("[bold]LaunchNotify demo[/]: US, RU and CN exchange launch pre-notifications").LeftJustified());
        var broker = await DemoInfrastructure.EnsureBrokerAsync(repo, console, ct);
        var nodes = await DemoInfrastructure.PrepareCentresAsync(repo, folder, Centres, broker, console, ct);

        // A notification lost on the CN → RU link, held back before CN's processes start (no race with its dispatcher).
        var fault = new DemoLinkFault(nodes.Single(n => n.Centre.Value == "CN"));
        await fault.HoldBackAsync(DemoScenario.HeldBackNotification(SystemClock.Instance.GetCurrentInstant()), ct);
        console.MarkupLine($"[yellow]![/] faulty link: CN's notification #{fault.HeldSequence} to RU ({fault.HeldMessageId}) is stored and signed at CN " +
                           "but held back on the way; CN's heartbeats (last number sent) and its next notification to RU will show the gap");

        // Each centre's people: accounts in its store before its processes start (docs/security.md).
        using var accounts = new DemoAccounts();
        await accounts.CreateAsync(nodes, ct);
        console.MarkupLine("[green]✓[/] accounts at each centre: " + string.Join(", ", DemoAccounts.People.Select(p => $"{DemoAccounts.UserName(p.Prefix, "cc")} ({p.Role})")) +
                           " (random passwords, kept in memory only)");

        await using var processes = new NodeProcesses(repo, configuration, new Dictionary<string, string>
        {
            // The agreements give a gap minutes to hours; the demo waits seconds.
            ["LaunchNotify__Timeliness__MissingGrace"] = MissingGrace.ToString("c"),
        });
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
                await DemoInfrastructure.WaitUntilReadyAsync(node, broker, processes, ct);
            }
        });
        console.MarkupLine($"[green]✓[/] {nodes.Count} centres running: " +
            string.Join(", ", nodes.Select(n => $"{n.Centre} (API {n.HttpUrl}, logs {Path.GetRelativePath(repo, n.Folder)}/)")));

        await accounts.SignInAsync(nodes, ct);
        // Operators submit and follow their centre's notifications.
        var clients = nodes.ToDictionary(n => n.Centre.Value, n => accounts.Client(n.Centre.Value, NodeRoles.Operator));
        var now = SystemClock.Instance.GetCurrentInstant();
        var steps = DemoScenario.Build(now);
        var results = new List<StepResult>();

        console.Write(new Rule("Submissions").LeftJustified());
        foreach (var (step, index) in steps.Select((s, i) => (s, i)))
        {
            if (step.RefersToStep is { } earlier && results[earlier].MessageId is { } original)
                step.Draft["amends"] = original.ToString();
            var submittedAt = Stopwatch.GetTimestamp();
            var (status, body) = await clients[step.Sender].PostAsync(step.Route + (step.AllowLate ? "?allowLate=true" : ""),
                Encoding.UTF8.GetBytes(step.Draft.ToJsonString()), ct);
            var id = body?["messageId"]?.GetValue<string>() is { } text ? Guid.Parse(text) : (Guid?)null;
            var result = new StepResult(index, step, status, id, body, Stopwatch.GetElapsedTime(submittedAt));
            results.Add(result);
            PrintSubmission(console, result, rendering);
        }

        console.Write(new Rule("Waiting for receipts").LeftJustified());
        var deadline = Stopwatch.StartNew();
        await console.Status().StartAsync("Publishing, delivering, verifying, confirming…", async status =>
        {
            while (deadline.Elapsed < TimeSpan.FromSeconds(timeoutSeconds))
            {
                if (processes.FirstExited() is { } dead)
                    throw new CliException($"{dead.Name} exited with code {dead.ExitCode}; see its log under {Path.GetRelativePath(repo, folder)}/.");
                var pending = 0;
                foreach (var r in results.Where(r => r.MessageId is not null && r.HttpStatus == 202))
                {
                    (_, r.Status) = await clients[r.Step.Sender].GetAsync($"/v1/notifications/{r.MessageId}", ct);
                    if (r.Status?["recipients"]?.AsArray().Any(x => x?["status"]?.GetValue<string>() is "accepted" or "published") != false)
                        pending++;
                }
                status.Status($"{pending} message(s) still waiting for a receipt…");
                if (pending == 0)
                    break;
                await Task.Delay(250, ct);
            }
        });

        // A notice counts when a person has read it: the recipient's duty officer acknowledges the first confirmed one.
        string? readFailure = "no confirmed notification to read";
        if (results.FirstOrDefault(r => r.HttpStatus == 202 && r.MessageId is not null
                && r.Status?["recipients"]?.AsArray().FirstOrDefault()?["status"]?.GetValue<string>() == "confirmed") is { } readable)
        {
            console.Write(new Rule("A person reads it").LeftJustified());
            var recipient = readable.Status!["recipients"]!.AsArray()[0]!["centre"]!.ToString();
            readFailure = await DemoRoles.DutyOfficerReadsNoticeAsync(console, accounts, readable.Step.Sender, recipient, readable.MessageId!.Value, ct);
        }

        console.Write(new Rule("A notification missing on the CN → RU link").LeftJustified());
        var acknowledged = new List<string?>();
        var missing = await WaitForMissingAsync(console, nodes, fault, processes, async alarm =>
            acknowledged.Add(await DemoRoles.DutyOfficerAcknowledgesAsync(console, accounts.Client("RU", NodeRoles.DutyOfficer), alarm.Id, ct)), ct);

        var alarms = await DemoAlarms.ReadAsync(nodes, ct);
        console.Write(new Rule("Timeline").LeftJustified());
        foreach (var r in results.Where(r => r.Status is not null))
            PrintTimeline(console, r, alarms, rendering);
        await PrintAlarmsAsync(console, nodes, alarms, rendering, ct);

        var failures = results.Select(Check).Where(f => f is not null).ToList();
        console.Write(new Rule("Outcome").LeftJustified());
        foreach (var r in results)
        {
            var failure = Check(r);
            console.MarkupLine($"{(failure is null ? "[green]✓[/]" : "[red]✗[/]")} {Markup.Escape(r.Step.Title)}: " +
                (failure is null ? $"{Describe(r.Step.Expect)} as expected" : $"[red]{Markup.Escape(failure)}[/]"));
        }
        var roleChecks = await DemoRoles.ShowAsync(console, accounts,
            results.FirstOrDefault(r => r.HttpStatus == 202 && r.MessageId is not null) is { } first ? (first.Step.Sender, first.MessageId!.Value) : null, ct);
        foreach (var (title, failure) in CheckAlarms(results, alarms, fault, missing)
                     .Concat(acknowledged.Select(f => ("RU's duty officer acknowledged the missing-notification alarm, recorded under the signed-in account", f)))
                     .Append(("a duty officer read a notice; its sender saw it delivered, confirmed and read by a person", readFailure))
                     .Concat(roleChecks))
        {
            console.MarkupLine($"{(failure is null ? "[green]✓[/]" : "[red]✗[/]")} {Markup.Escape(title)}" +
                (failure is null ? "" : $": [red]{Markup.Escape(failure)}[/]"));
            if (failure is not null)
                failures.Add(failure);
        }
        if (keepRunning)
        {
            console.MarkupLine("Centres keep running; press Ctrl+C to stop them.");
            try { await Task.Delay(Timeout.Infinite, ct); } catch (OperationCanceledException) { }
        }
        console.MarkupLine(failures.Count == 0
            ? "[bold green]Demo passed:[/] every notification ended as expected."
            : $"[bold red]Demo failed:[/] {failures.Count} step(s) did not end as expected; logs are under {Markup.Escape(Path.GetRelativePath(repo, folder))}/.");
        return failures.Count == 0 ? ExitCodes.Ok : ExitCodes.Invalid;
    }

    private static readonly TimeSpan MissingGrace = TimeSpan.FromSeconds(5);

    /// <summary>Waits for RU's MISSING_NOTIFICATION, then lets the held-back notification through and waits for the resolution.</summary>
    private static async Task<bool> WaitForMissingAsync(IAnsiConsole console, IReadOnlyList<CentreNode> nodes, DemoLinkFault fault, NodeProcesses processes,
        Func<Storage.Entities.Alarm, Task> onRaised, CancellationToken ct)
    {
        var ru = nodes.Where(n => n.Centre.Value == "RU").ToList();
        async Task<Storage.Entities.Alarm?> FindAsync(Domain.Alarms.AlarmState? state) =>
            (await DemoAlarms.ReadAsync(ru, ct)).Select(r => r.Alarm)
                .FirstOrDefault(a => a.Kind == Domain.Alarms.AlarmKind.MissingNotification && (state is null || a.State == state));

        Storage.Entities.Alarm? raised = null, resolved = null;
        Instant? releasedAt = null;
        await console.Status().StartAsync($"RU waits {MissingGrace.TotalSeconds:0} s (the demo's missing grace) for the gap to close…", async status =>
        {
            var waited = Stopwatch.StartNew();
            while (raised is null && waited.Elapsed < MissingGrace + TimeSpan.FromSeconds(30))
            {
                if (processes.FirstExited() is { } dead)
                    throw new CliException($"{dead.Name} exited with code {dead.ExitCode}.");
                raised = await FindAsync(null);
                if (raised is null)
                    await Task.Delay(200, ct);
            }
            if (raised is null)
                return;
            await onRaised(raised);
            status.Status("The link recovers: CN's held-back notification goes out…");
            await fault.ReleaseAsync(ct);
            releasedAt = SystemClock.Instance.GetCurrentInstant();
            waited.Restart();
            while (resolved is null && waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                resolved = await FindAsync(Domain.Alarms.AlarmState.Resolved);
                if (resolved is null)
                    await Task.Delay(200, ct);
            }
        });
        if (raised is null)
        {
            console.MarkupLine("[red]RU raised no MISSING_NOTIFICATION[/]");
            return false;
        }
        console.MarkupLine($"[yellow]{Time(raised.RaisedAt)}  RU raised MISSING_NOTIFICATION[/]: {Markup.Escape(raised.Summary)}");
        if (releasedAt is { } released)
            console.MarkupLine($"{Time(released)}  the link recovers: CN's held-back notification is due again, CN's dispatcher publishes it");
        if (resolved is null)
        {
            console.MarkupLine("[red]the alarm was not resolved[/]");
            return false;
        }
        console.MarkupLine($"[green]{Time(resolved.ResolvedAt!.Value)}  RU resolved it[/]: {Markup.Escape(resolved.ResolveComment ?? "")}");
        return true;
    }

    private static async Task PrintAlarmsAsync(IAnsiConsole console, IReadOnlyList<CentreNode> nodes, IReadOnlyList<DemoAlarms.Row> alarms,
        Presentation.Rendering r, CancellationToken ct)
    {
        console.Write(new Rule(Markup.Escape(r.Text("cli.demo.alarms"))).LeftJustified());
        var table = new Table().Border(TableBorder.Simple).AddColumn(r.Text("cli.demo.col.raised")).AddColumn(r.Text("cli.demo.col.at"))
            .AddColumn(r.Text("cli.demo.col.alarm")).AddColumn(r.Text("cli.demo.col.state")).AddColumn(r.Text("cli.demo.col.what"));
        foreach (var (centre, a) in alarms)
        {
            var state = a.State == Domain.Alarms.AlarmState.Resolved
                ? $"[green]{Markup.Escape(r.AlarmState(a.State))} {Time(a.ResolvedAt!.Value)}[/]"
                : $"[yellow]{Markup.Escape(r.AlarmState(a.State))}[/]";
            table.AddRow(Time(a.RaisedAt), centre, Markup.Escape($"{r.AlarmKind(a.Kind)} ({Domain.Alarms.AlarmKinds.Code(a.Kind)})"), state,
                Markup.Escape(r.AlarmSummary(a.Kind, a.Centre, a.AgreementId, a.MessageId, a.Sequences, a.DueAt)));
        }
        if (alarms.Count == 0)
            table.AddRow("-", "-", "-", "-", Markup.Escape(r.Text("cli.demo.noAlarms")));
        console.Write(table);
        var beats = new List<string>();
        foreach (var node in nodes)
            beats.Add($"{node.Centre} {await DemoAlarms.HeartbeatsReceivedAsync(node, ct)}");
        console.MarkupLine($"[grey]signed heartbeats received (they carry each link's last sequence number): {string.Join(", ", beats)}[/]");
    }

    private static string Time(Instant instant) => InstantPattern.CreateWithInvariantCulture("HH:mm:ss.fff").Format(instant);

    /// <summary>What the alarms must show: RU's late Yars notice at US, and the missing CN notice at RU, resolved when it came.</summary>
    private static IEnumerable<(string Title, string? Failure)> CheckAlarms(IReadOnlyList<StepResult> results, IReadOnlyList<DemoAlarms.Row> alarms,
        DemoLinkFault fault, bool missingResolved)
    {
        var lateStep = results.FirstOrDefault(r => r.Step.Expect == Expectation.ConfirmedWithFinding && r.Step.ExpectedCode == "LATE_NOTIFICATION");
        var late = alarms.FirstOrDefault(r => r.Alarm.Kind == Domain.Alarms.AlarmKind.LateNotification && r.Alarm.MessageId == lateStep?.MessageId);
        yield return ("US raised LATE_NOTIFICATION for RU's late notice",
            late is { Centre: "US" } ? null : "no LATE_NOTIFICATION alarm at US for the late step");
        var missing = alarms.FirstOrDefault(r => r.Alarm.Kind == Domain.Alarms.AlarmKind.MissingNotification);
        yield return ($"RU raised MISSING_NOTIFICATION for CN's #{fault.HeldSequence} and resolved it when it arrived",
            missing is { Centre: "RU" } && missing.Alarm.Sequences == fault.HeldSequence?.ToString() && missingResolved
                ? null : "no resolved MISSING_NOTIFICATION at RU naming the held-back number");
    }

    private sealed class StepResult(int index, DemoStep step, int httpStatus, Guid? messageId, JsonNode? response, TimeSpan submitLatency)
    {
        public int Index => index;
        public DemoStep Step => step;
        public int HttpStatus => httpStatus;
        public Guid? MessageId => messageId;
        public JsonNode? Response => response;
        public TimeSpan SubmitLatency => submitLatency;
        public JsonNode? Status { get; set; }
    }

    private static string Describe(Expectation e) => e switch
    {
        Expectation.Confirmed => "confirmed",
        Expectation.ConfirmedWithFinding => "confirmed with a finding",
        Expectation.Refused => "refused",
        _ => "rejected as malformed",
    };

    private static void PrintSubmission(IAnsiConsole console, StepResult r, Presentation.Rendering rendering)
    {
        var recipients = r.Response?["recipients"]?.AsArray().Select(x => $"{x?["centre"]}#{x?["sequence"]}") ?? [];
        var head = $"{r.Step.Sender} → {string.Join(",", r.Step.Draft["recipients"]!.AsArray().Select(x => x!.ToString()))}  {Markup.Escape(r.Step.Title)}";
        switch (r.HttpStatus)
        {
            case 202:
                console.MarkupLine($"[green]submitted[/]  {head}  [grey]({r.SubmitLatency.TotalMilliseconds:0} ms, id {r.MessageId}, seq {string.Join(" ", recipients)})[/]");
                break;
            case 400 or 422:
                console.MarkupLine($"[red]{(r.HttpStatus == 400 ? "malformed" : "refused")}[/]   {head}");
                break;
            default:
                console.MarkupLine($"[red]HTTP {r.HttpStatus}[/] {head}");
                break;
        }
        foreach (var e in Views.Errors(r.Response?["errors"]))
            console.MarkupLine($"           [red]{Markup.Escape(e.Code)}[/] {Markup.Escape(e.Path.Length == 0 ? "/" : e.Path)}: {Markup.Escape(rendering.Sentence(e))}");
        foreach (var w in Views.Errors(r.Response?["warnings"]))
            console.MarkupLine($"           [yellow]{Markup.Escape(rendering.Text("cli.demo.warning", w.Code))}[/]: {Markup.Escape(rendering.Sentence(w))}");
    }

    private static void PrintTimeline(IAnsiConsole console, StepResult r, IReadOnlyList<DemoAlarms.Row> alarms, Presentation.Rendering g)
    {
        var s = r.Status!;
        var submitted = Parse(s["submittedAt"]);
        console.MarkupLine($"[bold]{Markup.Escape(r.Step.Title)}[/]  [grey]{s["kind"]} {s["messageId"]} under {s["agreementId"]}[/]");
        var table = new Table().Border(TableBorder.Simple).AddColumn(g.Text("cli.demo.col.ms")).AddColumn(g.Text("cli.demo.col.event"));
        string E(string key, params object?[] args) => Markup.Escape(g.Text($"cli.demo.event.{key}", args));
        table.AddRow("0", E("submitted", r.Step.Sender));
        foreach (var d in s["recipients"]!.AsArray())
        {
            var centre = d!["centre"]!.ToString();
            if (Parse(d["publishedAt"]) is { } published)
                table.AddRow(Ms(published - submitted), E("published", $"{centre}.{r.Step.Sender}.{s["kind"]}"));
            if (Parse(d["recipientReceivedAt"]) is { } received)
                table.AddRow(Ms(received - submitted), E("received", centre));
            var status = d["status"]!.ToString();
            var confirmed = Parse(d["confirmedAt"]);
            var when = confirmed is { } c ? Ms(c - submitted) : "-";
            if (status == "confirmed")
                table.AddRow(when, $"[green]{E("confirmed", centre)}[/]");
            else if (status == "rejected")
                table.AddRow(when, $"[red]{E("rejected", centre)}[/]");
            else
                table.AddRow("-", $"[yellow]{E("noReceipt", g.Code(Presentation.GlossaryCategories.DeliveryStatus, status), centre)}[/]");
            foreach (var f in Views.Errors(d["findings"]))
                table.AddRow("", $"[yellow]{E("noted", centre, f.Code)}[/]: {Markup.Escape(g.Sentence(f))}");
            foreach (var e in Views.Errors(d["reasons"]))
                table.AddRow("", $"[red]{Markup.Escape(e.Code)}[/]: {Markup.Escape(g.Sentence(e))}");
        }
        foreach (var (centre, alarm) in alarms.Where(a => a.Alarm.MessageId == r.MessageId))
            table.AddRow(Ms(alarm.RaisedAt - submitted), $"[yellow]{E("alarm", centre, g.AlarmKind(alarm.Kind))}[/] " +
                Markup.Escape(g.AlarmSummary(alarm.Kind, alarm.Centre, alarm.AgreementId, alarm.MessageId, alarm.Sequences, alarm.DueAt)));
        console.Write(table);
    }

    private static string Ms(Duration? d) => d is { } v ? $"{v.TotalMilliseconds:0}" : "-";

    private static Instant? Parse(JsonNode? node) =>
        node?.GetValue<string>() is { } text && InstantPattern.ExtendedIso.Parse(text) is { Success: true } p ? p.Value : null;

    /// <summary>Null if the step ended as the scenario expects; otherwise what went wrong.</summary>
    private static string? Check(StepResult r)
    {
        var codes = Views.Errors(r.Response?["errors"]).Select(e => e.Code).ToList();
        switch (r.Step.Expect)
        {
            case Expectation.Refused:
                return r.HttpStatus == 422 && (r.Step.ExpectedCode is null || codes.Contains(r.Step.ExpectedCode))
                    ? null : $"expected a refusal with {r.Step.ExpectedCode}, got HTTP {r.HttpStatus} {string.Join(",", codes)}";
            case Expectation.Malformed:
                return r.HttpStatus == 400 && (r.Step.ExpectedCode is null || codes.Contains(r.Step.ExpectedCode))
                    ? null : $"expected HTTP 400 with {r.Step.ExpectedCode}, got HTTP {r.HttpStatus} {string.Join(",", codes)}";
        }
        if (r.HttpStatus != 202)
            return $"expected acceptance, got HTTP {r.HttpStatus}: {string.Join(", ", codes)}";
        var deliveries = r.Status?["recipients"]?.AsArray() ?? [];
        if (deliveries.Count == 0 || deliveries.Any(d => d?["status"]?.ToString() != "confirmed"))
            return $"not confirmed by every recipient ({string.Join(", ", deliveries.Select(d => $"{d?["centre"]}: {d?["status"]}"))})";
        if (r.Step.Expect == Expectation.ConfirmedWithFinding &&
            !deliveries.All(d => Views.Errors(d?["findings"]).Any(f => f.Code == r.Step.ExpectedCode)))
            return $"confirmed, but the recipient did not note {r.Step.ExpectedCode}";
        return null;
    }
}
