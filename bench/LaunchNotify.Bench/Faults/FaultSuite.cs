using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Broker;
using Microsoft.Data.Sqlite;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;

namespace LaunchNotify.Bench.Faults;

/// <summary>
/// The fault suite (docs/reliability.md): real publisher and subscriber processes on the real broker, a stream of
/// notifications while a subscriber, the publisher or the broker is killed with SIGKILL and while links are cut by a
/// proxy, then the intake flooded with generated hostile bodies and the inbox with poison, replays, re-used ids,
/// forgeries and oversize messages from a counterpart. Each scenario reports sent / accepted / stored / confirmed /
/// lost / duplicated / parked / 5xx and the time to converge, and fails on any loss, duplicate effect, 5xx, stalled
/// queue or crash.
/// </summary>
public static class FaultSuite
{
    public sealed record Outcome(FaultReport Report, string JsonPath, string TextPath);

    public static readonly string[] Scenarios = ["subscriber-kill", "publisher-kill", "link-drop", "link-hold", "broker-kill", "intake-flood", "inbox-flood"];

    public static async Task<Outcome> RunAsync(FaultOptions options, IAnsiConsole console, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        using var env = await BenchEnvironment.OpenAsync(options.Configuration, null, ct);
        var started = SystemClock.Instance.GetCurrentInstant();
        var stamp = started.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var folder = Path.Combine(env.RepoRoot, ".local", "bench", "faults-" + stamp);
        var report = new FaultReport
        {
            StartedAt = InstantPattern.ExtendedIso.Format(started),
            Mode = options.Mode,
            Machine = MachineInfo.Now(env.Configuration),
            Options = options,
        };
        void Log(string line) => console.WriteLine($"  [{SystemClock.Instance.GetCurrentInstant().ToString("HH:mm:ss", CultureInfo.InvariantCulture)}] {line}");
        Log($"fault suite ({options.Mode}): broker amqp://{BenchEnvironment.Host}:{env.AmqpPort}; node logs under {Path.GetRelativePath(env.RepoRoot, folder)}/");

        await using (var run = await FaultRun.StartAsync(env, options, folder, Log, ct))
        {
            foreach (var scenario in Scenarios.Where(options.Runs))
            {
                Log($"{scenario}: starting");
                var result = await run.RunAsync(scenario, ct);
                report.Scenarios.Add(result);
                Log($"{scenario}: {(result.Passed ? "PASS" : "FAIL")} sent {result.Sent}, accepted {result.Accepted}, stored {result.Stored}, " +
                    $"confirmed {result.Confirmed}, lost {result.Lost}, duplicated {result.Duplicated}, parked {result.Parked}, 5xx {result.Http5xx}" +
                    (result.ConvergeSeconds is { } s ? $", converged in {s:0.0} s" : "") +
                    string.Concat(result.Failures.Select(f => "\n      ✗ " + f)));
            }
        }

        if (Directory.Exists(folder))
            foreach (var store in Directory.EnumerateFiles(folder, "node.db*", SearchOption.AllDirectories))
                File.Delete(store);
        report.TotalSeconds = Math.Round(total.Elapsed.TotalSeconds, 1);

        var output = options.OutputDirectory ?? Path.Combine(env.RepoRoot, ".local", "bench");
        Directory.CreateDirectory(output);
        var jsonPath = Path.Combine(output, $"faults-{stamp}.json");
        await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(report, BenchResult.Json), ct);
        var recorder = new Recorder(console);
        Write(recorder, report);
        var textPath = Path.Combine(output, $"faults-{stamp}.txt");
        await File.WriteAllTextAsync(textPath, recorder.ExportText(), ct);
        console.MarkupLine($"Results: [bold]{Markup.Escape(Path.GetRelativePath(env.RepoRoot, jsonPath))}[/] and {Markup.Escape(Path.GetRelativePath(env.RepoRoot, textPath))} ({report.TotalSeconds:0} s)");
        return new Outcome(report, jsonPath, textPath);
    }

    /// <summary>The figures as one table, then each failure (rendering stays here, at the edge).</summary>
    public static void Write(IAnsiConsole console, FaultReport report)
    {
        var table = new Table().Title($"Fault suite ({report.Mode}), {report.Machine.Cores} cores, load {report.Machine.LoadAverageAtStart}");
        foreach (var column in new[] { "scenario", "sent", "accepted", "stored", "confirmed", "lost", "duplicated", "parked", "5xx", "no answer", "converged (s)", "result" })
            table.AddColumn(column);
        foreach (var s in report.Scenarios)
            table.AddRow(s.Name, $"{s.Sent:N0}", $"{s.Accepted:N0}", $"{s.Stored:N0}", $"{s.Confirmed:N0}", $"{s.Lost}", $"{s.Duplicated}", $"{s.Parked}",
                $"{s.Http5xx}", $"{s.ConnectionErrors}", s.ConvergeSeconds is { } c ? c.ToString("0.0", CultureInfo.InvariantCulture) : "-",
                s.Passed ? "[green]PASS[/]" : "[red]FAIL[/]");
        console.Write(table);
        foreach (var s in report.Scenarios)
        {
            console.MarkupLine($"[bold]{Markup.Escape(s.Name)}[/]: {Markup.Escape(s.What)}");
            if (s.Statuses.Count > 0)
                console.MarkupLine("  HTTP answers: " + Markup.Escape(string.Join(", ", s.Statuses.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} × {p.Value:N0}"))));
            foreach (var note in s.Notes)
                console.MarkupLine("  " + Markup.Escape(note));
            foreach (var failure in s.Failures)
                console.MarkupLine("  [red]✗[/] " + Markup.Escape(failure));
        }
    }
}

/// <summary>One cluster (US publisher and subscriber, RU subscriber, CN publishing by hand) that the scenarios run on in turn.</summary>
internal sealed class FaultRun : IAsyncDisposable
{
    private static readonly CentreCode Us = NodeCluster.Sender, Ru = NodeCluster.Receiver, Cn = new("CN"), Fr = new("FR");

    private readonly BenchEnvironment _env;
    private readonly FaultOptions _options;
    private readonly NodeCluster _cluster;
    private readonly TcpProxy _publisherLink;
    private readonly TcpProxy _subscriberLink;
    private readonly ConfirmationObserver _observer;
    private readonly HttpClient _http;
    private readonly Action<string> _log;
    private NodeProcess _usPublisher;
    private NodeProcess _ruSubscriber;
    private long _cnSequence;

    private FaultRun(BenchEnvironment env, FaultOptions options, NodeCluster cluster, TcpProxy publisherLink, TcpProxy subscriberLink,
        NodeProcess usPublisher, NodeProcess ruSubscriber, ConfirmationObserver observer, Action<string> log, string operatorToken)
    {
        _env = env;
        _options = options;
        _cluster = cluster;
        _publisherLink = publisherLink;
        _subscriberLink = subscriberLink;
        _usPublisher = usPublisher;
        _ruSubscriber = ruSubscriber;
        _observer = observer;
        _log = log;
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = cluster.PublisherUrl, Timeout = TimeSpan.FromSeconds(30) };
        // Submitted as US's operator, like any client (docs/security.md): the hostile bodies reach the intake, not the sign-in.
        _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", operatorToken);
    }

    public static async Task<FaultRun> StartAsync(BenchEnvironment env, FaultOptions options, string folder, Action<string> log, CancellationToken ct)
    {
        // CN publishes by hand as a counterpart; FR's key is one a forger could sign with (trusted, but not CN's).
        var cluster = await NodeCluster.PrepareAsync(env, folder, options.ExistingPasswords, [Us, Ru, Cn], [Fr], ct);
        // The US publisher's and the RU subscriber's links to the broker go through proxies the suite can cut.
        var publisherLink = new TcpProxy(env.AmqpPort);
        var subscriberLink = new TcpProxy(env.AmqpPort);
        var usPublisher = cluster.StartPublisher(Us, publisherLink.Port);
        cluster.StartSubscriber(Us);
        var ruSubscriber = cluster.StartSubscriber(Ru, brokerPort: subscriberLink.Port);
        await cluster.WaitUntilReadyAsync(true, new Dictionary<CentreCode, int> { [Us] = 1, [Ru] = 1 }, ct);
        var observer = new ConfirmationObserver(cluster.StorePath(Us), TimeSpan.FromMilliseconds(20));
        log("US publisher, US subscriber and RU subscriber running");
        var token = await cluster.OperatorTokenAsync(ct);
        return new FaultRun(env, options, cluster, publisherLink, subscriberLink, usPublisher, ruSubscriber, observer, log, token);
    }

    public Task<ScenarioResult> RunAsync(string scenario, CancellationToken ct) => scenario switch
    {
        "subscriber-kill" => StreamAsync(scenario, "RU's subscriber killed with SIGKILL during a stream of US → RU notifications, restarted after the outage.",
            async () =>
            {
                await _cluster.KillAsync(_ruSubscriber);
                // The broker has seen the consumer go, so the restarted one's consumer is what readiness sees below.
                var gone = Stopwatch.StartNew();
                while (await _env.ConsumerCountAsync(BrokerTopology.InboxQueue(Ru), ct) > 0 && gone.Elapsed < TimeSpan.FromSeconds(60))
                    await Task.Delay(200, ct);
                await Task.Delay(_options.Outage, ct); // the outage itself
                _ruSubscriber = _cluster.StartSubscriber(Ru, brokerPort: _subscriberLink.Port);
                await _cluster.WaitUntilReadyAsync(false, new Dictionary<CentreCode, int> { [Ru] = 1 }, ct);
                return null;
            }, ct),
        "publisher-kill" => StreamAsync(scenario, "US's publisher (intake and outbox dispatcher) killed with SIGKILL right after its 202s, restarted after the outage; the client retries refused submissions with the same id.",
            async () =>
            {
                await _cluster.KillAsync(_usPublisher);
                await Task.Delay(_options.Outage, ct);
                _usPublisher = _cluster.StartPublisher(Us, _publisherLink.Port);
                await _cluster.WaitUntilReadyAsync(true, new Dictionary<CentreCode, int>(), ct);
                return null;
            }, ct),
        "link-drop" => StreamAsync(scenario, "The US publisher's and the RU subscriber's AMQP links reset by the proxy and refused for the outage (connection refused), then restored.",
            async () =>
            {
                _publisherLink.Drop();
                _subscriberLink.Drop();
                await Task.Delay(_options.Outage, ct);
                _publisherLink.Heal();
                _subscriberLink.Heal();
                return (long?)null;
            }, ct),
        "link-hold" => StreamAsync(scenario, "Both links held by the proxy for the outage: connections stay open and nothing passes (a black hole only heartbeats notice), then released.",
            async () =>
            {
                _publisherLink.Hold();
                _subscriberLink.Hold();
                await Task.Delay(_options.Outage, ct);
                _publisherLink.Heal();
                _subscriberLink.Heal();
                return (long?)null;
            }, ct),
        "broker-kill" => StreamAsync(scenario, "The broker (beam.smp) killed with SIGKILL during the stream, restarted with infra/rabbitmq/start.sh.",
            async () =>
            {
                var pid = _env.BrokerPid() ?? throw new InvalidOperationException("No broker pid under .local/rabbitmq: is the project-local broker running?");
                using (var broker = Process.GetProcessById(pid))
                {
                    broker.Kill();
                    await broker.WaitForExitAsync(ct);
                }
                var killedAt = Stopwatch.GetTimestamp();
                // Healed when the broker takes AMQP connections again (start.sh goes on a while after: users, management API).
                using var probing = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var listening = Task.Run(async () =>
                {
                    while (!await BrokerProbe.IsReachableAsync(BenchEnvironment.Host, _env.AmqpPort, null, probing.Token))
                        await Task.Delay(200, probing.Token);
                    return Stopwatch.GetTimestamp();
                }, probing.Token);
                await _env.RunInfraScriptAsync("infra/rabbitmq/start.sh", ct);
                var healed = await listening;
                _log($"broker-kill: AMQP back {Stopwatch.GetElapsedTime(killedAt, healed).TotalSeconds:0.0} s after the kill, start.sh done after {Stopwatch.GetElapsedTime(killedAt).TotalSeconds:0.0} s");
                return healed;
            }, ct),
        "intake-flood" => IntakeFloodAsync(ct),
        "inbox-flood" => InboxFloodAsync(ct),
        _ => throw new ArgumentException($"Unknown scenario '{scenario}'; known: {string.Join(", ", FaultSuite.Scenarios)}.", nameof(scenario)),
    };

    // ---------------------------------------------------------------- streams under process, link and broker faults

    /// <summary><paramref name="fault"/> breaks something, waits out the outage, heals it; it returns when it healed if that was before it returned.</summary>
    private async Task<ScenarioResult> StreamAsync(string name, string what, Func<Task<long?>> fault, CancellationToken ct)
    {
        var r = new ScenarioResult { Name = name, What = what };
        var parkedBefore = await _env.QueueMessagesAsync(BrokerTopology.ParkedQueue(Ru), ct);
        var count = _options.StreamMessages;
        var now = SystemClock.Instance.GetCurrentInstant();
        var ids = Enumerable.Range(0, count).Select(_ => Guid.NewGuid()).ToArray();
        var accepted = new ConcurrentBag<Guid>();
        var submitted = 0;
        var next = -1;
        var third = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var submitting = Task.WhenAll(Enumerable.Range(0, _options.StreamConcurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                if (await SubmitUntilAnsweredAsync(PipelineDriver.ValidDraft(now, ids[i]), r, ct) is { Accepted: true })
                    accepted.Add(ids[i]);
                if (Interlocked.Increment(ref submitted) >= count / 3)
                    third.TrySetResult();
            }
            third.TrySetResult();
        }, ct)));

        await third.Task;
        _log($"{name}: fault after {Volatile.Read(ref submitted)} submissions");
        var healed = await fault() ?? Stopwatch.GetTimestamp();
        _log($"{name}: healed");
        await submitting;

        r.Sent = count;
        r.Accepted = accepted.Count;
        await ConvergeAsync(r, [.. accepted], healed, ct);
        r.Stored = StoredCount(_cluster.StorePath(Ru), Us, accepted);
        r.Duplicated = DuplicateReceipts(accepted);
        r.Parked = (int)Math.Max(0, await _env.QueueMessagesAsync(BrokerTopology.ParkedQueue(Ru), ct) - parkedBefore);
        if (r.Parked > 0)
            r.Failures.Add($"{r.Parked} valid notification(s) parked by RU");
        if (r.Accepted < count)
            r.Failures.Add($"{count - r.Accepted} submission(s) never accepted (refused or no answer within the bound)");
        if (r.Stored < r.Accepted)
            r.Failures.Add($"RU stored {r.Stored} of {r.Accepted} accepted notifications");
        await CheckQueuesAndNodesAsync(r, ct);
        return r;
    }

    private sealed record Answer(int Status, string Body)
    {
        public bool Accepted => Status is 200 or 202;
    }

    /// <summary>As an operator's client: an answer without a status (refused, reset, timed out) or a 5xx is retried with the same id.</summary>
    private async Task<Answer?> SubmitUntilAnsweredAsync(string draft, ScenarioResult r, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var content = new StringContent(draft, Encoding.UTF8, "application/json");
                using var response = await _http.PostAsync("/v1/notifications", content, ct);
                var answer = new Answer((int)response.StatusCode, await response.Content.ReadAsStringAsync(ct));
                Count(r, answer.Status);
                if (answer.Status >= 500)
                    Fail(r, $"HTTP {answer.Status} for a valid submission: {Truncate(answer.Body)}");
                else
                    return answer;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                lock (r) r.ConnectionErrors++;
            }
            if (waited.Elapsed > _options.ConvergeBound)
            {
                Fail(r, $"a valid submission got no definite answer within {_options.ConvergeBound.TotalSeconds:0} s");
                return null;
            }
            await Task.Delay(250, ct); // the client's retry interval
        }
    }

    /// <summary>Waits until the sender's store shows every id confirmed, at most the converge bound after the fault healed.</summary>
    private async Task ConvergeAsync(ScenarioResult r, IReadOnlyList<Guid> ids, long healed, CancellationToken ct)
    {
        while (ids.Any(id => !_observer.TryGet(id, out _, out _)) && Stopwatch.GetElapsedTime(healed) < _options.ConvergeBound)
            await Task.Delay(100, ct); // polling the observer
        var observed = ids.Select(id => _observer.TryGet(id, out var at, out var outcome) ? ((long At, string Outcome)?)(at, outcome) : null).ToList();
        r.Confirmed = observed.Count(o => o is not null);
        r.Lost = ids.Count - r.Confirmed;
        if (r.Confirmed > 0)
            r.ConvergeSeconds = Math.Round(Math.Max(0, Stopwatch.GetElapsedTime(healed, observed.Where(o => o is not null).Max(o => o!.Value.At)).TotalSeconds), 1);
        if (r.Lost > 0)
            r.Failures.Add($"{r.Lost} accepted notification(s) not confirmed {_options.ConvergeBound.TotalSeconds:0} s after the fault healed, e.g. " +
                string.Join(", ", ids.Where(id => !_observer.TryGet(id, out _, out _)).Take(3)));
        var rejected = observed.Count(o => o is { Outcome: not "accepted" });
        if (rejected > 0)
            r.Failures.Add($"{rejected} valid notification(s) confirmed as rejected");
    }

    private async Task<bool> ConfirmedWithinBoundAsync(Guid id, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (!_observer.TryGet(id, out _, out _) && waited.Elapsed < _options.ConvergeBound)
            await Task.Delay(100, ct); // polling the observer
        return _observer.TryGet(id, out _, out _);
    }

    /// <summary>No queue left holding messages, no node process dead unless the suite killed it.</summary>
    private async Task CheckQueuesAndNodesAsync(ScenarioResult r, CancellationToken ct)
    {
        foreach (var queue in new[] { BrokerTopology.InboxQueue(Us), BrokerTopology.InboxQueue(Ru) })
        {
            var waited = Stopwatch.StartNew();
            long depth;
            while ((depth = await _env.QueueMessagesAsync(queue, ct)) > 0 && waited.Elapsed < TimeSpan.FromSeconds(30))
                await Task.Delay(500, ct); // the management API's figures lag by a few seconds
            if (depth > 0)
                r.Failures.Add($"{queue} still holds {depth} message(s): stalled");
        }
        foreach (var process in _cluster.Processes.Where(p => p.HasExited))
            r.Failures.Add($"{process.Name} exited by itself (code {process.ExitCode}); see {process.LogPath}");
    }

    // ---------------------------------------------------------------- the intake flood

    private async Task<ScenarioResult> IntakeFloodAsync(CancellationToken ct)
    {
        var r = new ScenarioResult
        {
            Name = "intake-flood",
            What = $"{_options.CorpusSize:N0} malformed and hostile bodies to the publisher's intake (issue 11's cases, then CsCheck generation and " +
                   "mutation of the valid draft and schemas/examples, seed " + _options.Seed + "); then a valid submission must still go through.",
        };
        var now = SystemClock.Instance.GetCurrentInstant();
        var corpus = HostileCorpus.Generate(_env.RepoRoot, PipelineDriver.ValidDraft(now, Guid.NewGuid()), _options.CorpusSize, _options.Seed);
        var toConfirm = new ConcurrentBag<Guid>();
        var emptyErrorBodies = new ConcurrentDictionary<int, int>();
        // 5xx and unanswered requests by how the body was made: a count and the first example of each.
        var broken = new ConcurrentDictionary<string, (int Count, string Example)>();
        void Broke(string what, HostileBody item, string answer) => broken.AddOrUpdate($"{what} for '{Regex.Replace(item.Origin, " of seed \\d+$", "")}'",
            _ => (1, $"{item.Origin}, {item.Body.Length} bytes to {item.Path}: {Truncate(Encoding.UTF8.GetString(item.Body), 100)} → {Truncate(answer, 160)}"),
            (_, seen) => (seen.Count + 1, seen.Example));
        var next = -1;
        var flood = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, _options.FloodConcurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < corpus.Count)
            {
                var item = corpus[i];
                using var content = new ByteArrayContent(item.Body);
                if (item.ContentType is { } type)
                    content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
                try
                {
                    using var response = await _http.PostAsync(item.Path, content, ct);
                    var status = (int)response.StatusCode;
                    var body = await response.Content.ReadAsStringAsync(ct);
                    Count(r, status);
                    if (status >= 500)
                        Broke($"HTTP {status}", item, body);
                    else if (status >= 400 && body.Length == 0)
                        emptyErrorBodies.AddOrUpdate(status, 1, (_, n) => n + 1);
                    else if (status is 200 or 202 && AcceptedFor(body, Ru) is { } id)
                        toConfirm.Add(id);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                    lock (r) r.ConnectionErrors++;
                    // The inner exceptions say which (reset, refused, timeout): the outer message never does.
                    Broke("no answer", item, string.Join(" ← ", Causes(e)));
                }
            }
        }, ct)));
        r.Notes.Add($"{corpus.Count:N0} bodies in {flood.Elapsed.TotalSeconds:0.0} s ({corpus.Count / flood.Elapsed.TotalSeconds:N0}/s)");
        foreach (var (what, (n, example)) in broken.OrderByDescending(p => p.Value.Count))
            r.Failures.Add($"{what}: {n} × (e.g. {example})");
        foreach (var (status, n) in emptyErrorBodies.OrderBy(p => p.Key))
            r.Failures.Add($"{n} answer(s) HTTP {status} with an empty body (no coded error)");

        // Still serving: a valid notification after the flood is accepted and confirmed.
        var canary = Guid.NewGuid();
        var answer = await SubmitUntilAnsweredAsync(PipelineDriver.ValidDraft(SystemClock.Instance.GetCurrentInstant(), canary), r, ct);
        if (answer is not { Accepted: true })
            r.Failures.Add($"after the flood a valid submission was not accepted: {answer?.Status} {Truncate(answer?.Body)}");
        else
            toConfirm.Add(canary);
        r.Sent = corpus.Count + 1;
        r.Accepted = r.Statuses.Where(p => p.Key is "200" or "202").Sum(p => p.Value);
        // Mutated copies of one draft share its id: the first is accepted, a copy of it answered 200 (an idempotent retry).
        var distinct = toConfirm.Distinct().ToList();
        r.Notes.Add($"{distinct.Count - 1} mutated bodies were valid notifications to RU (accepted, must be confirmed like any other)");
        await ConvergeAsync(r, distinct, Stopwatch.GetTimestamp(), ct);
        r.Stored = StoredCount(_cluster.StorePath(Ru), Us, distinct);
        r.Duplicated = DuplicateReceipts(distinct);
        await CheckQueuesAndNodesAsync(r, ct);
        return r;
    }

    /// <summary>The message id of an accepted submission that went to <paramref name="recipient"/>, from the intake's answer.</summary>
    private static Guid? AcceptedFor(string body, CentreCode recipient)
    {
        try
        {
            var json = JsonNode.Parse(body);
            var goesThere = json?["recipients"]?.AsArray().Any(x => (string?)x?["centre"] == recipient.Value) == true;
            return goesThere && Guid.TryParse((string?)json?["messageId"], out var id) ? id : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    // ---------------------------------------------------------------- the inbox flood

    private enum Expect { Accepted, Rejected, Answered, Parked, RejectedOrParked }

    private sealed record InboxCase(string Name, Guid Id, CentreCode Sender, Expect Expect);

    private async Task<ScenarioResult> InboxFloodAsync(CancellationToken ct)
    {
        var r = new ScenarioResult
        {
            Name = "inbox-flood",
            What = "CN publishes straight to RU's inbox with RabbitMQ.Client: poison (signed, schema-valid or not, semantically wrong), a replay, " +
                   "ids another centre used (both ways), forgeries (FR's key, US's payload from CN's broker user, a swapped payload, not a JWS) and an oversize body; " +
                   "then a valid one, which must not wait behind them.",
        };
        await using var cn = await Counterpart.ConnectAsync(_env, _cluster, Cn, ct);
        var cases = new List<InboxCase>();
        var repo = _env.RepoRoot;

        // A US notification RU already holds, whose id CN will use too.
        var usFirst = Guid.NewGuid();
        var usAnswer = await SubmitUntilAnsweredAsync(PipelineDriver.ValidDraft(SystemClock.Instance.GetCurrentInstant(), usFirst), r, ct);
        r.Sent++;
        if (usAnswer is not { Accepted: true } || !await ConfirmedWithinBoundAsync(usFirst, ct))
            r.Failures.Add($"a plain US notification before the flood was not confirmed: {usAnswer?.Status} {Truncate(usAnswer?.Body)}");

        async Task SendAsync(string name, Expect expect, Action<JsonObject>? change = null, string? raw = null, CentreCode? signer = null,
            Guid? id = null, Func<byte[], byte[]>? tamper = null, byte[]? payload = null, CentreCode? sender = null)
        {
            var messageId = id ?? Guid.NewGuid();
            payload ??= Counterpart.CnToRu(repo, messageId, ++_cnSequence, SystemClock.Instance.GetCurrentInstant(), change, raw);
            var body = cn.Sign(payload, signer ?? Cn);
            if (tamper is not null)
                body = tamper(body);
            await cn.PublishAsync(Ru, "prenotification", messageId, body, ct);
            cases.Add(new InboxCase(name, messageId, sender ?? Cn, expect));
            lock (r) r.Sent++;
        }

        // Poison: authentic (CN's key, CN's broker user), each wrong in its own way: a signed receipt must say why.
        await SendAsync("window ends before it starts", Expect.Rejected, d => d["launchWindow"] = new JsonObject
        {
            ["start"] = d["launchWindow"]!["end"]!.DeepClone(), ["end"] = d["launchWindow"]!["start"]!.DeepClone(),
        });
        await SendAsync("window ends as it starts", Expect.Rejected, d => d["launchWindow"]!["end"] = d["launchWindow"]!["start"]!.DeepClone());
        await SendAsync("leap second :60", Expect.Rejected, d => d["launchWindow"]!["start"] = "2026-12-31T23:59:60Z");
        await SendAsync("window in year 9999", Expect.Rejected, d => d["launchWindow"] = new JsonObject { ["start"] = "9999-12-31T23:59:58Z", ["end"] = "9999-12-31T23:59:59Z" });
        // Odd rather than wrong: either verdict will do, as long as there is one and CN gets it signed.
        await SendAsync("issuedAt 9999-12-31T23:59:59Z", Expect.Answered, d => d["issuedAt"] = "9999-12-31T23:59:59Z");
        await SendAsync("range 1e-400", Expect.Rejected, d => d["missile"]!["rangeKm"] = "@RAW@", "1e-400");
        await SendAsync("latitude 1e400", Expect.Rejected, d => d["launchArea"]!["centre"]!["lat"] = "@RAW@", "1e400");
        await SendAsync("lone \\ud800 escape", Expect.Rejected, d => d["plannedDirection"] = "@RAW@", "\"\\ud800\"");
        await SendAsync("agreement id of 65 characters", Expect.Rejected, d => d["agreementId"] = new string('a', 65));
        await SendAsync("duplicate key", Expect.Rejected, d => d["plannedDirection"] = "@RAW@", "\"north\",\"plannedDirection\":\"south\"");
        await SendAsync("unknown agreement", Expect.Rejected, d => d["agreementId"] = "us-ru-bmlna-1988");
        // Oversize: over the node's 256 KiB limit.
        await SendAsync("300 KB body", Expect.RejectedOrParked, d => d["plannedDirection"] = new string('n', 300 * 1024));
        // Unauthentic: never stored, parked with a reason.
        await SendAsync("cross-signed with FR's key", Expect.Parked, signer: Fr);
        var spoofed = Guid.NewGuid();
        var usPayload = Encoding.UTF8.GetBytes(PipelineDriver.ValidDraft(SystemClock.Instance.GetCurrentInstant(), spoofed));
        await SendAsync("US's signed payload from CN's broker user", Expect.Parked, signer: Us, id: spoofed, payload: UsMessage(usPayload, spoofed), sender: Us);
        await SendAsync("payload swapped after signing", Expect.Parked,
            tamper: jws => Counterpart.WithPayloadSwapped(jws, Counterpart.CnToRu(repo, Guid.NewGuid(), 999_999, SystemClock.Instance.GetCurrentInstant())));
        await SendAsync("not a JWS", Expect.Parked, tamper: _ => "{\"hello\":\"world\"}"u8.ToArray());

        // A replay: the same signed bytes twice; one stored message, one verdict.
        var replayId = Guid.NewGuid();
        var replayBody = cn.Sign(Counterpart.CnToRu(repo, replayId, ++_cnSequence, SystemClock.Instance.GetCurrentInstant()), Cn);
        await cn.PublishAsync(Ru, "prenotification", replayId, replayBody, ct);
        await cn.PublishAsync(Ru, "prenotification", replayId, replayBody, ct);
        cases.Add(new InboxCase("replayed", replayId, Cn, Expect.Accepted));
        r.Sent += 2;

        // Ids another centre used: CN re-uses US's; and US will submit one CN used first.
        await SendAsync("CN re-uses the id of US's notification", Expect.Accepted, id: usFirst);
        var cnFirst = Guid.NewGuid();
        await SendAsync("CN's id later used by US", Expect.Accepted, id: cnFirst);

        // Behind all of them, a valid one.
        var valid = Guid.NewGuid();
        var validSent = Stopwatch.GetTimestamp();
        await SendAsync("valid, behind the poison", Expect.Accepted, id: valid);

        // Outcomes: stored (RU's store), parked (RU's parked queue), receipts (CN's inbox queue).
        var parked = new HashSet<Guid>();
        var receipts = new List<(Guid For, Guid Id, string Outcome)>();
        var outcomes = new Dictionary<InboxCase, (string Sender, string Outcome)?>();
        double? validAfter = null;
        var waited = Stopwatch.StartNew();
        while (true)
        {
            parked.UnionWith(await DrainIdsAsync(BrokerTopology.ParkedQueue(Ru), ct));
            receipts.AddRange(await DrainReceiptsAsync(BrokerTopology.InboxQueue(Cn), ct));
            foreach (var c in cases)
                outcomes[c] = Stored(_cluster.StorePath(Ru), c.Sender, c.Id);
            validAfter ??= outcomes[cases.Single(c => c.Id == valid)] is not null ? Stopwatch.GetElapsedTime(validSent).TotalSeconds : null;
            // Done when each case has its outcome and, if stored, its receipt is back at CN (a receipt is the last step, so
            // stopping at the stored row would judge a receipt still on its way as missing).
            var done = cases.All(c => outcomes[c] is not null ? receipts.Any(x => x.For == c.Id) : parked.Contains(c.Id));
            if (done || waited.Elapsed > _options.InboxBound)
                break;
            await Task.Delay(250, ct); // polling store and queues
        }
        r.ConvergeSeconds = Math.Round(waited.Elapsed.TotalSeconds, 1);
        r.Notes.Add(validAfter is { } v ? $"the valid message behind the poison was stored {v:0.0} s after it was published" : "the valid message behind the poison was never stored");

        foreach (var c in cases)
        {
            var stored = outcomes[c];
            var wasParked = parked.Contains(c.Id);
            var receipt = receipts.Where(x => x.For == c.Id).ToList();
            var said = stored is { } s ? $"stored {s.Outcome.ToLowerInvariant()}" : wasParked ? "parked" : "no outcome";
            r.Notes.Add($"{c.Name}: {said}{(receipt.Count > 0 ? $", receipt '{receipt[0].Outcome}'" : "")}");
            if (stored is not null)
            {
                r.Stored++;
                if (stored.Value.Outcome == "Accepted")
                    r.Accepted++;
            }
            if (receipt.Count > 0)
                r.Confirmed++;
            if (wasParked && stored is null)
                r.Parked++;
            if (receipt.Select(x => x.Id).Distinct().Count() > 1)
            {
                r.Duplicated++;
                r.Failures.Add($"{c.Name}: {receipt.Select(x => x.Id).Distinct().Count()} different receipts for one message");
            }
            var problem = (c.Expect, stored?.Outcome, wasParked) switch
            {
                (_, null, false) => $"no outcome within {_options.InboxBound.TotalSeconds:0} s (stuck in the inbox or lost)",
                (Expect.Accepted, "Accepted", _) when receipt.Count > 0 => null,
                (Expect.Accepted, "Accepted", _) => "stored, but no receipt came back to CN",
                (Expect.Accepted, _, _) => $"expected accepted, was {said}",
                (Expect.Rejected, "Rejected", _) when receipt.Any(x => x.Outcome == "rejected") => null,
                (Expect.Rejected, "Rejected", _) => "stored as rejected, but no signed rejection came back to CN",
                (Expect.Rejected, null, true) => "authentic but parked without a receipt: CN is never told why, and RU will report its number missing",
                (Expect.Rejected, _, _) => $"expected a rejection with reasons, was {said}",
                (Expect.Answered, "Accepted" or "Rejected", _) when receipt.Count > 0 => null,
                (Expect.Answered, _, _) => $"expected a stored verdict with a receipt, was {said}{(stored is not null ? " without a receipt" : "")}",
                (Expect.Parked, null, true) => null,
                (Expect.Parked, _, _) => $"unauthentic, yet {said}",
                (Expect.RejectedOrParked, "Rejected" or null, _) => null,
                _ => $"expected rejected or parked, was {said}",
            };
            if (problem is not null)
            {
                if (stored is null && !wasParked)
                    r.Lost++;
                r.Failures.Add($"{c.Name}: {problem}");
            }
        }

        // The id CN used first, now submitted by US: US's own notification must still be delivered and confirmed.
        var usSecond = await SubmitUntilAnsweredAsync(PipelineDriver.ValidDraft(SystemClock.Instance.GetCurrentInstant(), cnFirst), r, ct);
        r.Sent++;
        if (usSecond is { Accepted: true })
        {
            if (!await ConfirmedWithinBoundAsync(cnFirst, ct))
            {
                r.Lost++;
                r.Failures.Add($"US's notification {cnFirst}, whose id CN had used, was not confirmed within {_options.ConvergeBound.TotalSeconds:0} s: shadowed by CN's");
            }
        }
        else
        {
            r.Failures.Add($"US's submission with an id CN had used was refused: {usSecond?.Status} {Truncate(usSecond?.Body)}");
        }
        await CheckQueuesAndNodesAsync(r, ct);
        return r;
    }

    /// <summary>A US → RU pre-notification as US's publisher would sign it (sequence far above US's own, so it cannot collide).</summary>
    private static byte[] UsMessage(byte[] draft, Guid id)
    {
        var doc = JsonNode.Parse(draft)!.AsObject();
        var now = SystemClock.Instance.GetCurrentInstant();
        doc["kind"] = "prenotification";
        doc["messageId"] = id.ToString("D");
        doc["schemaVersion"] = "1.0";
        doc["sender"] = "US";
        doc["recipients"] = new JsonArray(new JsonObject { ["centre"] = "RU", ["sequence"] = 900_000 });
        doc["issuedAt"] = InstantPattern.ExtendedIso.Format(now);
        return Encoding.UTF8.GetBytes(doc.ToJsonString());
    }

    private async Task<List<Guid>> DrainIdsAsync(string queue, CancellationToken ct)
    {
        await using var connection = await _env.ConnectAsAdminAsync("fault-suite-drain", ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        var ids = new List<Guid>();
        while (await channel.BasicGetAsync(queue, autoAck: true, ct) is { } message)
            if (Guid.TryParse(message.BasicProperties.MessageId, out var id))
                ids.Add(id);
        return ids;
    }

    /// <summary>Receipts RU sent back to CN (nobody consumes CN's inbox here): what each answered, by receipt id.</summary>
    private async Task<List<(Guid For, Guid Id, string Outcome)>> DrainReceiptsAsync(string queue, CancellationToken ct)
    {
        await using var connection = await _env.ConnectAsAdminAsync("fault-suite-receipts", ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        var receipts = new List<(Guid, Guid, string)>();
        while (await channel.BasicGetAsync(queue, autoAck: true, ct) is { } message)
        {
            using var jws = JsonDocument.Parse(message.Body);
            var payload = JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(jws.RootElement.GetProperty("payload").GetString()!))!;
            if (Guid.TryParse((string?)payload["receiptFor"], out var receiptFor) && Guid.TryParse((string?)payload["messageId"], out var id))
                receipts.Add((receiptFor, id, (string?)payload["outcome"] ?? "?"));
        }
        return receipts;
    }

    // ---------------------------------------------------------------- reading the stores (read-only WAL snapshots)

    /// <summary>The inbox row RU holds for (sender, id), if any: (sender, outcome).</summary>
    private static (string Sender, string Outcome)? Stored(string storePath, CentreCode sender, Guid id)
    {
        using var connection = BenchEnvironment.OpenReadOnly(storePath);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT Sender, Outcome FROM Inbox WHERE MessageId = $id AND Sender = $sender";
        command.Parameters.AddWithValue("$id", id.ToString("D").ToUpperInvariant());
        command.Parameters.AddWithValue("$sender", sender.Value);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetString(0), reader.GetString(1)) : null;
    }

    private static int StoredCount(string storePath, CentreCode sender, IEnumerable<Guid> ids)
    {
        var wanted = ids.Select(id => id.ToString("D").ToUpperInvariant()).ToHashSet();
        using var connection = BenchEnvironment.OpenReadOnly(storePath);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT MessageId FROM Inbox WHERE Sender = $sender";
        command.Parameters.AddWithValue("$sender", sender.Value);
        using var reader = command.ExecuteReader();
        var count = 0;
        while (reader.Read())
            if (wanted.Contains(reader.GetString(0)))
                count++;
        return count;
    }

    /// <summary>Receipts the sender applied beyond the first for one message: a second verdict is a duplicate effect.</summary>
    private int DuplicateReceipts(IEnumerable<Guid> ids)
    {
        var wanted = ids.Select(id => id.ToString("D")).ToHashSet(StringComparer.OrdinalIgnoreCase);
        using var connection = BenchEnvironment.OpenReadOnly(_cluster.StorePath(Us));
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT json_extract(PayloadJson, '$.receiptFor'), COUNT(*) FROM Inbox WHERE Kind = 'receipt' GROUP BY 1 HAVING COUNT(*) > 1
            """;
        using var reader = command.ExecuteReader();
        var extra = 0;
        while (reader.Read())
            if (!reader.IsDBNull(0) && wanted.Contains(reader.GetString(0)))
                extra += reader.GetInt32(1) - 1;
        return extra;
    }

    private static void Count(ScenarioResult r, int status)
    {
        lock (r)
        {
            var key = status.ToString(CultureInfo.InvariantCulture);
            r.Statuses[key] = r.Statuses.GetValueOrDefault(key) + 1;
            if (status >= 500)
                r.Http5xx++;
        }
    }

    /// <summary>Records a failure (the first 40: a flood of one bug stays readable; the counts say how many).</summary>
    private static void Fail(ScenarioResult r, string failure)
    {
        lock (r)
        {
            if (r.Failures.Count < 40)
                r.Failures.Add(failure);
        }
    }

    private static IEnumerable<string> Causes(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            yield return $"{x.GetType().Name}: {x.Message}";
    }

    private static string Truncate(string? text, int length = 200) => text is null ? "" : text.Length <= length ? text : text[..length] + "…";

    public async ValueTask DisposeAsync()
    {
        await _observer.DisposeAsync();
        await _cluster.DisposeAsync();
        await _publisherLink.DisposeAsync();
        await _subscriberLink.DisposeAsync();
        _http.Dispose();
    }
}
