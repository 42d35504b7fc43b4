using System.Diagnostics;
using System.Net;
using System.Text;
using LaunchNotify.Storage;
using Microsoft.EntityFrameworkCore;
using static LaunchNotify.Tests.Shared.PublisherApp;

namespace LaunchNotify.Publisher.Tests;

/// <summary>
/// 32 submissions in flight at once, on each kind of store: every one accepted, every one stored with its own sequence
/// number, and nothing logged at Warning or above (the load of issue 11 got 15 × HTTP 500 "cannot start a transaction
/// within a transaction" out of 600 on SQLite).
/// </summary>
public sealed class ConcurrentIntakeTests(PostgresSchemaFixture postgres) : IClassFixture<PostgresSchemaFixture>
{
    private const int InFlight = 32;
    private const int Submissions = 320;
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task ThirtyTwoInFlight_OnSqlite_AllAccepted_NothingLogged()
    {
        using var app = new PublisherApp();
        await DriveAsync(app);
    }

    [Fact]
    public async Task ThirtyTwoInFlight_OnPostgres_AllAccepted_NothingLogged()
    {
        using var app = new PostgresPublisherApp(postgres.Store);
        await DriveAsync(app);
    }

    private static async Task DriveAsync(PublisherApp app)
    {
        using var http = app.CreateClient();
        var statuses = new List<(HttpStatusCode, string)>();
        var clock = Stopwatch.StartNew();
        using var cut = new CancellationTokenSource(Bound);
        await Parallel.ForEachAsync(Enumerable.Range(0, Submissions), new ParallelOptions { MaxDegreeOfParallelism = InFlight, CancellationToken = cut.Token },
            async (_, ct) =>
            {
                using var content = new StringContent(Drafts.PreNotification(Noon).ToJsonString(), Encoding.UTF8, "application/json");
                using var response = await http.PostAsync("/v1/notifications", content, ct);
                var body = response.IsSuccessStatusCode ? "" : await response.Content.ReadAsStringAsync(ct);
                lock (statuses)
                    statuses.Add((response.StatusCode, body));
            });

        var failed = statuses.Where(s => s.Item1 != HttpStatusCode.Accepted).ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} of {statuses.Count} not accepted, e.g. {failed.FirstOrDefault()}");
        Assert.Equal(Submissions, statuses.Count);
        var logged = app.Logs.Entries;
        Assert.True(logged.Count == 0, $"logged at Warning or above:\n{string.Join("\n", logged.Take(5))}");

        await using var db = app.Db();
        var sequences = await db.Deliveries.Where(d => d.Recipient == "RU").Select(d => d.Sequence).ToListAsync();
        Assert.Equal(Enumerable.Range(1, Submissions).Select(i => (long)i), sequences.Order());
        Assert.True(clock.Elapsed < Bound, $"took {clock.Elapsed}");
    }

    private sealed class PostgresPublisherApp(StorageOptions store) : PublisherApp
    {
        protected override string Store => "postgres:" + store.ConnectionString;
    }
}
