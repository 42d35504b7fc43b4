using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using NodaTime;
using NodaTime.Text;

namespace LaunchNotify.Bench;

/// <summary>One submission as the operator's client saw it.</summary>
public sealed record Submission(Guid MessageId, long StartTicks, Instant StartWall, long AcceptedTicks, int HttpStatus, string? Error)
{
    public bool Accepted => HttpStatus == 202;
}

/// <summary>
/// Submits pre-notifications US → RU through the publisher's HTTP API (closed loop, or open loop at a fixed rate),
/// waits until the sender's store shows each confirmed, and turns what it saw into a <see cref="PipelineRun"/>.
/// </summary>
public sealed class PipelineDriver : IDisposable
{
    private readonly NodeCluster _cluster;
    private readonly ConfirmationObserver _observer;
    private readonly HttpClient _http;
    private readonly string _template;

    /// <param name="token">A bearer token for the sending centre's operator (<see cref="NodeCluster.OperatorTokenAsync"/>).</param>
    public PipelineDriver(NodeCluster cluster, ConfirmationObserver observer, string token)
    {
        _cluster = cluster;
        _observer = observer;
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }) { BaseAddress = cluster.PublisherUrl, Timeout = TimeSpan.FromSeconds(60) };
        _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        _template = Draft(SystemClock.Instance.GetCurrentInstant()).ToJsonString();
    }

    /// <summary>A valid draft (US → RU, 30 h ahead) with this message id, as an operator submits it.</summary>
    public static string ValidDraft(Instant now, Guid messageId) => Draft(now).ToJsonString().Replace("@ID@", messageId.ToString("D"));

    /// <summary>A valid Minuteman III test notification under the 1988 agreement (as in the demo), its id a placeholder.</summary>
    private static JsonObject Draft(Instant now)
    {
        string At(double hours) => InstantPattern.ExtendedIso.Format(now + Duration.FromMinutes((long)(hours * 60)));
        JsonObject Circle(string name, double lat, double lon, double radiusKm) => new()
        {
            ["type"] = "circle", ["name"] = name, ["centre"] = new JsonObject { ["lat"] = lat, ["lon"] = lon }, ["radiusKm"] = radiusKm,
        };
        return new JsonObject
        {
            ["messageId"] = "@ID@",
            ["agreementId"] = "us-ru-bmlna-1988",
            ["recipients"] = new JsonArray(NodeCluster.Receiver.Value),
            ["launchWindow"] = new JsonObject { ["start"] = At(30), ["end"] = At(34) },
            ["missile"] = new JsonObject { ["class"] = "ICBM", ["type"] = "LGM-30G Minuteman III", ["count"] = 1, ["groupLaunch"] = false, ["rangeKm"] = 6760 },
            ["launchArea"] = Circle("Vandenberg SFB, LF-10", 34.74, -120.57, 10),
            ["impactAreas"] = new JsonArray(Circle("Reagan Test Site, Kwajalein Atoll", 9.40, 167.47, 50)),
            ["plannedAzimuthDeg"] = 247.0,
            ["remarks"] = "Operational test launch, unarmed re-entry vehicle.",
        };
    }

    private Task<Submission> SubmitOneAsync(CancellationToken ct) => SubmitAsync(_http, _template, ct);

    /// <summary>
    /// Submits <paramref name="template"/> with a fresh id in place of <c>@ID@</c> to the publisher's HTTP API, timing it
    /// from the client's side (wall clock and stopwatch at the start, stopwatch at the answer).
    /// </summary>
    public static async Task<Submission> SubmitAsync(HttpClient http, string template, CancellationToken ct)
    {
        var id = Guid.NewGuid();
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(template.Replace("@ID@", id.ToString("D"))));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var wall = SystemClock.Instance.GetCurrentInstant();
        var start = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.PostAsync("/v1/notifications", content, ct);
            var accepted = Stopwatch.GetTimestamp();
            var error = response.StatusCode == System.Net.HttpStatusCode.Accepted ? null : await response.Content.ReadAsStringAsync(ct);
            return new Submission(id, start, wall, accepted, (int)response.StatusCode, error);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return new Submission(id, start, wall, Stopwatch.GetTimestamp(), 0, e.Message);
        }
    }

    /// <summary><paramref name="concurrency"/> clients, each submitting the next as soon as its last was accepted.</summary>
    public async Task<List<Submission>> ClosedLoopAsync(int count, int concurrency, Action<int> progress, CancellationToken ct)
    {
        var results = new Submission[count];
        var next = -1;
        var done = 0;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                results[i] = await SubmitOneAsync(ct);
                progress(Interlocked.Increment(ref done));
            }
        }));
        return [.. results];
    }

    /// <summary>
    /// One notification at a time on an idle pipeline: each is submitted once the last was confirmed and the nodes had
    /// <paramref name="pause"/> with nothing to do (their loops back asleep), so each one meets the idle system.
    /// </summary>
    public async Task<List<Submission>> OneAtATimeAsync(int count, TimeSpan pause, Action<int> progress, CancellationToken ct)
    {
        var results = new List<Submission>(count);
        for (var i = 0; i < count; i++)
        {
            var sent = await SubmitOneAsync(ct);
            results.Add(sent);
            if (sent.Accepted)
                await WaitConfirmedAsync([sent], TimeSpan.FromSeconds(10), _ => { }, ct);
            progress(i + 1);
            await Task.Delay(pause, ct);
        }
        return results;
    }

    /// <summary>Open loop: one submission every 1/rate s whatever the answers take (at most 512 in flight).</summary>
    public async Task<List<Submission>> FixedRateAsync(int rate, int seconds, Action<int> progress, CancellationToken ct)
    {
        var count = rate * seconds;
        var tasks = new List<Task<Submission>>(count);
        using var inFlight = new SemaphoreSlim(512);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate) - Stopwatch.GetElapsedTime(start);
            if (due > TimeSpan.Zero)
                await Task.Delay(due, ct);
            await inFlight.WaitAsync(ct);
            tasks.Add(Task.Run(async () =>
            {
                try { return await SubmitOneAsync(ct); }
                finally { inFlight.Release(); }
            }, ct));
            if (i % 20 == 0)
                progress(i);
        }
        return [.. await Task.WhenAll(tasks)];
    }

    /// <summary>Waits until every accepted submission is confirmed, or until nothing new was confirmed for <paramref name="stall"/>.</summary>
    public async Task<int> WaitConfirmedAsync(IReadOnlyList<Submission> sent, TimeSpan stall, Action<int> progress, CancellationToken ct)
    {
        var ids = sent.Where(s => s.Accepted).Select(s => s.MessageId).ToList();
        var seen = -1;
        var lastChange = Stopwatch.StartNew();
        while (true)
        {
            var confirmed = ids.Count(id => _observer.TryGet(id, out _, out _));
            progress(confirmed);
            if (confirmed == ids.Count)
                return confirmed;
            if (confirmed != seen)
            {
                seen = confirmed;
                lastChange.Restart();
            }
            else if (lastChange.Elapsed > stall)
            {
                return confirmed;
            }
            await Task.Delay(50, ct);
        }
    }

    public PipelineRun Summarize(string name, double? offered, int concurrency, IReadOnlyList<Submission> sent,
        IReadOnlyList<ProcessSample> before, IReadOnlyList<ProcessSample> after)
    {
        var accepted = sent.Where(s => s.Accepted).ToList();
        var confirmed = new List<(Submission S, long Observed, string Outcome)>();
        foreach (var s in accepted)
            if (_observer.TryGet(s.MessageId, out var observed, out var outcome))
                confirmed.Add((s, observed, outcome));

        var first = sent.Count == 0 ? 0 : sent.Min(s => s.StartTicks);
        var last = confirmed.Count == 0 ? first : confirmed.Max(c => c.Observed);
        var seconds = Stopwatch.GetElapsedTime(first, last).TotalSeconds;
        var errors = sent.Where(s => !s.Accepted).GroupBy(s => $"HTTP {s.HttpStatus}: {Truncate(s.Error)}")
            .Select(g => $"{g.Count()} × {g.Key}").ToList();
        var rejected = confirmed.Count(c => c.Outcome != "accepted");
        if (rejected > 0)
            errors.Add($"{rejected} receipt(s) were rejections, not acceptances");

        return new PipelineRun
        {
            Name = name,
            OfferedPerSecond = offered,
            Concurrency = concurrency,
            Submitted = sent.Count,
            Accepted = accepted.Count,
            Confirmed = confirmed.Count(c => c.Outcome == "accepted"),
            Seconds = Math.Round(seconds, 3),
            NotificationsPerSecond = seconds > 0 ? Math.Round(confirmed.Count / seconds, 1) : 0,
            SubmitToConfirmed = LatencySummary.From(confirmed.Select(c => Stopwatch.GetElapsedTime(c.S.StartTicks, c.Observed).TotalMilliseconds)),
            SubmitToAccepted = LatencySummary.From(accepted.Select(s => Stopwatch.GetElapsedTime(s.StartTicks, s.AcceptedTicks).TotalMilliseconds)),
            Stages = Stages(confirmed),
            Processes = Usage(before, after, Math.Max(1, confirmed.Count)),
            Errors = errors,
        };
    }

    /// <summary>
    /// The journey cut at the instants the nodes stamp themselves (one machine, one clock): the publisher's intake
    /// start (SubmittedAt), the broker's confirm of the publish (PublishedAt), the recipient's receipt of the message
    /// (RecipientReceivedAt, from its signed receipt), the sender applying the receipt (ReceiptAt), and the observer.
    /// </summary>
    private Dictionary<string, LatencySummary> Stages(IReadOnlyList<(Submission S, long Observed, string Outcome)> confirmed)
    {
        var stamps = new Dictionary<Guid, (long Submitted, long? Published, long? Received, long? Receipt)>();
        using (var connection = BenchEnvironment.OpenReadOnly(_cluster.StorePath(NodeCluster.Sender)))
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT o.MessageId, o.SubmittedAt, d.PublishedAt, d.RecipientReceivedAt, d.ReceiptAt
                FROM OutboundMessages o JOIN Deliveries d ON d.MessageId = o.MessageId
                """;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                long? At(int i) => reader.IsDBNull(i) ? null : reader.GetInt64(i);
                stamps[Guid.Parse(reader.GetString(0))] = (reader.GetInt64(1), At(2), At(3), At(4));
            }
        }

        static double Ms(long fromUnixTicks, long toUnixTicks) => (toUnixTicks - fromUnixTicks) / (double)TimeSpan.TicksPerMillisecond;
        var intake = new List<double>();
        var dispatch = new List<double>();
        var delivery = new List<double>();
        var receipt = new List<double>();
        var visible = new List<double>();
        foreach (var (s, observed, _) in confirmed)
        {
            if (!stamps.TryGetValue(s.MessageId, out var t) || t.Published is not { } published || t.Received is not { } received || t.Receipt is not { } applied)
                continue;
            var start = s.StartWall.ToUnixTimeTicks();
            var seen = start + Stopwatch.GetElapsedTime(s.StartTicks, observed).Ticks;
            intake.Add(Ms(start, t.Submitted));
            dispatch.Add(Ms(t.Submitted, published));
            delivery.Add(Ms(published, received));
            receipt.Add(Ms(received, applied));
            visible.Add(Ms(applied, seen));
        }
        return new Dictionary<string, LatencySummary>
        {
            ["1 client → publisher intake"] = LatencySummary.From(intake),
            ["2 intake → publish confirmed"] = LatencySummary.From(dispatch),
            ["3 publish confirmed → recipient received"] = LatencySummary.From(delivery),
            ["4 recipient received → sender applied receipt"] = LatencySummary.From(receipt),
            ["5 sender applied receipt → observed"] = LatencySummary.From(visible),
        };
    }

    public static List<ProcessUsage> Usage(IReadOnlyList<ProcessSample> before, IReadOnlyList<ProcessSample> after, int notifications) =>
        after.Select(a =>
        {
            var b = before.FirstOrDefault(x => x.Pid == a.Pid);
            var cpu = a.CpuSeconds - (b?.CpuSeconds ?? 0);
            return new ProcessUsage(a.Name, Math.Round(cpu, 2), Math.Round(cpu * 1000 / notifications, 3),
                Math.Round(a.RssBytes / 1048576.0, 1), Math.Round(a.PeakRssBytes / 1048576.0, 1));
        }).ToList();

    private static string Truncate(string? text) => text is null ? "" : text.Length <= 160 ? text : text[..160] + "…";

    public void Dispose() => _http.Dispose();
}
