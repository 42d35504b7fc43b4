using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Accounts;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Node.Inbox;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Node.Submission;
using Microsoft.Extensions.DependencyInjection;
using LaunchNotify.Node.Seeding;
using LaunchNotify.Tests.Shared;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace LaunchNotify.Dashboard.Tests;

/// <summary>
/// Seeds 120 days of US–RU history (seed 7) into a temporary folder, then runs the real publisher process on US's
/// store with a compliance officer's and an operator's account, on a free loopback port. No broker: the seeded outbox is all published. The store
/// is a node stopped when the history ended, so the publisher's deadline watcher first fires what fell due since
/// (the link from RU falls silent, and so on; the heartbeat it queues stays in the outbox); the fixture waits for that.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    /// <summary>A compliance officer (may read the dashboard) and an operator (may not), made in the store before the publisher starts.</summary>
    public const string User = "officer";
    public const string Operator = "olga";
    public const string DutyOfficer = "duty";
    public const string Password = TestAccounts.Password;
    public const string Chromium = "/usr/bin/chromium";

    private Process? _publisher;
    private readonly List<string> _log = [];

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "launchnotify-dashboard-" + Guid.NewGuid().ToString("N")[..8]);
    public SeedOptions Seed => new() { Directory = Folder, Centres = ["US", "RU"], Days = 120, Seed = 7 };
    public string StorePath => Seed.StorePath("US");
    public string BaseUrl { get; private set; } = "";
    public TimeSpan SeedTime { get; private set; }

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
            throw new InvalidOperationException($"{Chromium} is missing: run infra/chromium/install.sh (infra/test.sh does) to install Debian's chromium.");
        var summary = await HistorySeeder.RunAsync(Seed, null, CancellationToken.None);
        SeedTime = summary.Elapsed;

        await TestAccounts.AddAsync(StorageOptions.SqliteFile(StorePath), (User, NodeRoles.ComplianceOfficer), (Operator, NodeRoles.Operator), (DutyOfficer, NodeRoles.DutyOfficer));

        var port = FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo("dotnet", [PublisherDll()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["LaunchNotify__Centre"] = "US",
                ["LaunchNotify__Store"] = "sqlite:" + StorePath,
                ["LaunchNotify__KeysDirectory"] = Seed.KeysDirectory,
                ["LaunchNotify__Broker__Port"] = FreePort().ToString(), // nothing listens there: no broker is needed
                ["LaunchNotify__Broker__Password"] = "unused",
                ["LaunchNotify__HttpUrl"] = BaseUrl,
                ["Logging__LogLevel__Default"] = "Warning",
            },
        };
        _publisher = Process.Start(start) ?? throw new InvalidOperationException("Could not start the publisher.");
        _publisher.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.Add(e.Data); };
        _publisher.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.Add(e.Data); };
        _publisher.BeginOutputReadLine();
        _publisher.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_publisher.HasExited)
                throw new InvalidOperationException($"The publisher exited with code {_publisher.ExitCode}:\n{Log}");
            try
            {
                if ((await http.GetAsync(BaseUrl + "/health")).StatusCode == HttpStatusCode.OK)
                {
                    await WaitForTheWatcherAsync();
                    await RecordObservedLaunchesAsync();
                    await WaitForTheWatcherAsync();
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new InvalidOperationException($"The publisher did not answer /health within 60 s:\n{Log}");
    }

    /// <summary>Until no deadline is past due, so the page and the store are compared at rest.</summary>
    private async Task WaitForTheWatcherAsync()
    {
        await using var db = new NodeDbContext(StorageOptions.SqliteFile(StorePath).ToDbContextOptions());
        var waited = Stopwatch.StartNew();
        while (await db.Deadlines.AnyAsync(d => d.State == DeadlineState.Pending && d.DueAt <= SystemClock.Instance.GetCurrentInstant()))
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(30))
                throw new InvalidOperationException($"The publisher's deadline watcher did not fire the deadlines past due within 30 s:\n{Log}");
            await Task.Delay(200);
        }
    }

    /// <summary>The launch recorded inside a sent notice's launch area and window (covered by it).</summary>
    public Guid CoveredLaunchId { get; private set; }

    /// <summary>The sent notice that covers <see cref="CoveredLaunchId"/>.</summary>
    public Guid CoveringNoticeId { get; private set; }

    /// <summary>A launch attributed to RU in the middle of the Pacific, which no notice covers (it raises LAUNCH_WITHOUT_NOTIFICATION).</summary>
    public Guid UncoveredLaunchId { get; private set; }

    /// <summary>
    /// Two observed launches through the duty officer's API, so the maps have one covered and one uncovered: the first
    /// at the launch area's centre of the latest sent pre-notification, a minute into its window.
    /// </summary>
    private async Task RecordObservedLaunchesAsync()
    {
        await using var db = new NodeDbContext(StorageOptions.SqliteFile(StorePath).ToDbContextOptions());
        var notice = await db.OutboundMessages.AsNoTracking().Where(m => m.Kind == "prenotification")
            .OrderByDescending(m => m.SubmittedAt).FirstAsync();
        using var payload = System.Text.Json.JsonDocument.Parse(notice.PayloadJson);
        var centre = payload.RootElement.GetProperty("launchArea").GetProperty("centre");
        using var http = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        http.WithToken(await TestAccounts.TokenAsync(http, DutyOfficer));
        async Task<Guid> RecordAsync(object body)
        {
            var response = await http.PostAsJsonAsync("/v1/observed-launches", body);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.Created)
                throw new InvalidOperationException($"Recording an observed launch answered {(int)response.StatusCode}: {text}");
            var verdict = System.Text.Json.JsonDocument.Parse(text).RootElement;
            return verdict.GetProperty("id").GetGuid();
        }
        var at = NodaTime.Text.InstantPattern.General.Format(notice.WindowStart!.Value + Duration.FromMinutes(1));
        CoveringNoticeId = notice.MessageId;
        CoveredLaunchId = await RecordAsync(new
        {
            at, attributedCentre = "US", source = "dashboard test",
            launchPoint = new { lat = centre.GetProperty("lat").GetDouble(), lon = centre.GetProperty("lon").GetDouble() },
        });
        UncoveredLaunchId = await RecordAsync(new { at, attributedCentre = "RU", source = "dashboard test", launchPoint = new { lat = -5.0, lon = -150.0 } });
    }

    /// <summary>
    /// A pre-notification RU sends US now, received by US's store as its subscriber would: RU's own SubmissionService on
    /// RU's seeded store numbers and signs it, and US's InboxProcessor verifies, stores and answers it (the broker leg is
    /// the hand-over of the signed body, with the broker-validated user id). It waits for a person at US: a test that
    /// acknowledges a notice takes its own instead of the few the seed left unread.
    /// </summary>
    /// <param name="windowOpensIn">When the window opens from now (default two days); under US–RU's 24 h it is sent with
    /// allowLate and US records it as a late notification.</param>
    public async Task<Guid> ReceiveNoticeFromRuAsync(Duration? windowOpensIn = null)
    {
        await using var ru = Composition("RU");
        await using var us = Composition("US");
        var start = Instant.FromUnixTimeSeconds(SystemClock.Instance.GetCurrentInstant().ToUnixTimeSeconds()) + (windowOpensIn ?? Duration.FromDays(2));
        var draft = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new
        {
            kind = "prenotification",
            agreementId = "us-ru-bmlna-1988",
            recipients = new[] { "US" },
            launchWindow = new { start = NodaTime.Text.InstantPattern.General.Format(start), end = NodaTime.Text.InstantPattern.General.Format(start + Duration.FromHours(6)) },
            missile = new { @class = "SLBM", type = "R-30 Bulava", count = 1, groupLaunch = false },
            launchArea = new { type = "circle", name = "Barents Sea", centre = new { lat = 69.5, lon = 33.5 }, radiusKm = 120 },
            impactAreas = new[] { new { type = "circle", name = "Kura test range", centre = new { lat = 57.77, lon = 161.99 }, radiusKm = 40 } },
            plannedAzimuthDeg = 62,
        });
        var submitted = await ru.GetRequiredService<SubmissionService>().SubmitAsync(draft, "prenotification", allowLate: windowOpensIn < Duration.FromHours(24), CancellationToken.None);
        if (submitted.Status != SubmissionStatus.Accepted)
            throw new InvalidOperationException($"RU refused the test's notice: {string.Join("; ", submitted.Errors)}");
        OutboxEntry entry;
        await using (var db = new NodeDbContext(StorageOptions.SqliteFile(Seed.StorePath("RU")).ToDbContextOptions()))
            entry = await db.Outbox.AsNoTracking().SingleAsync(o => o.MessageId == submitted.MessageId && o.Recipient == "US");
        var received = await us.GetRequiredService<InboxProcessor>().ProcessAsync(
            new InboundDelivery(entry.Body, "RU", entry.RoutingKey, entry.MessageId.ToString(), entry.Kind, AmqpPublisher.ContentType), CancellationToken.None);
        if (received.Disposition != InboxDisposition.Accepted)
            throw new InvalidOperationException($"US did not accept RU's notice: {received.Disposition}");
        return entry.MessageId;
    }

    /// <summary>A centre's node composition (as the deployables build it) over its seeded store, with no broker and nothing started.</summary>
    private ServiceProvider Composition(string centre) => new ServiceCollection().AddLogging()
        .AddLaunchNotifyNode(new NodeSettings
        {
            Centre = new CentreCode(centre),
            Store = StorageOptions.SqliteFile(Seed.StorePath(centre)),
            Broker = new BrokerConnection("127.0.0.1", 1, "launchnotify", centre, "unused"),
            KeysDirectory = Seed.KeysDirectory,
        }, SystemClock.Instance)
        .BuildServiceProvider();

    public string Log { get { lock (_log) return string.Join('\n', _log); } }

    public async Task DisposeAsync()
    {
        if (_publisher is { HasExited: false })
        {
            _publisher.Kill(entireProcessTree: true);
            await _publisher.WaitForExitAsync();
        }
        _publisher?.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }

    private static string PublisherDll()
    {
        // This test assembly lives in tests/LaunchNotify.Dashboard.Tests/bin/<Configuration>/net10.0/.
        var bin = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = bin.Parent!.Name;
        var repo = bin.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        var dll = Path.Combine(repo, "src", "LaunchNotify.Publisher", "bin", configuration, "net10.0", "LaunchNotify.Publisher.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the publisher first (dotnet build -c {configuration}); not found: {dll}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
