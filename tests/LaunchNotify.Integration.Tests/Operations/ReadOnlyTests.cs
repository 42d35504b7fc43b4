using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using LaunchNotify.Node.Seeding;
using NodaTime;

namespace LaunchNotify.Integration.Tests.Operations;

/// <summary>
/// A publisher started read-only on a seeded history (an archive) serves the dashboard, the API's queries and health,
/// refuses writes with a coded problem, and leaves the store file byte for byte as it was: no audit entry, no fired
/// deadline, no heartbeat. Without read-only the same start would fire the deadlines past due (a LINK_SILENT alarm dated today).
/// </summary>
public sealed class ReadOnlyTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ln-readonly-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task ReadOnlyPublisher_OnASeededStore_ServesQueriesAndDashboard_RefusesWrites_AndLeavesTheFileUnchanged()
    {
        var seed = new SeedOptions { Directory = _folder, Centres = ["US", "RU"], From = new LocalDate(2025, 1, 1), Days = 60, Seed = 3 };
        await HistorySeeder.RunAsync(seed, null, CancellationToken.None);
        var store = seed.StorePath("US");
        // An officer account, made before the snapshot: the API answers signed-in people only (docs/security.md).
        await LaunchNotify.Tests.Shared.TestAccounts.AddWithRolesAsync(LaunchNotify.Storage.StorageOptions.Parse($"sqlite:{store}"), "officer",
            [LaunchNotify.Node.Accounts.NodeRoles.Operator, LaunchNotify.Node.Accounts.NodeRoles.DutyOfficer, LaunchNotify.Node.Accounts.NodeRoles.ComplianceOfficer]);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var before = Snapshot(store);

        var url = $"http://127.0.0.1:{DeployableProcess.FreePort()}";
        await using (var publisher = DeployableProcess.Start("Publisher", new Dictionary<string, string>
        {
            ["LaunchNotify__Centre"] = "US",
            ["LaunchNotify__Store"] = $"sqlite:{store}",
            ["LaunchNotify__KeysDirectory"] = seed.KeysDirectory,
            ["LaunchNotify__ReadOnly"] = "true",
            ["LaunchNotify__Broker__Port"] = DeployableProcess.FreePort().ToString(), // no broker: read-only needs none
            ["LaunchNotify__Broker__Password"] = "unused",
            ["LaunchNotify__HttpUrl"] = url,
            ["LaunchNotify__Timeliness__Counterparts"] = "RU",
        }))
        {
            var (_, ready) = await publisher.HealthAsync(url + "/health/ready", (s, _) => s == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "readiness");
            Assert.True(ready.GetProperty("readOnly").GetBoolean());

            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
            // Signing in must not write either (no last-login or failure counts kept in a read-only store).
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await LaunchNotify.Tests.Shared.TestAccounts.TokenAsync(http, "officer"));
            foreach (var path in new[] { "/v1/notifications?limit=500", "/v1/inbox?all=true", "/v1/alarms", "/v1/observed-launches" })
                Assert.True((await http.GetAsync(path)).IsSuccessStatusCode, path);
            using var dashboard = new HttpRequestMessage(HttpMethod.Get, "/dashboard");
            var page = await http.SendAsync(dashboard);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("sent-notifications", await page.Content.ReadAsStringAsync());

            var submit = await http.PostAsync("/v1/notifications", new StringContent("{}", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Conflict, submit.StatusCode);
            Assert.Equal("application/problem+json", submit.Content.Headers.ContentType?.MediaType);
            Assert.Contains("\"code\":\"READ_ONLY\"", await submit.Content.ReadAsStringAsync());
            var ack = await http.PostAsync($"/v1/alarms/{Guid.NewGuid()}/acknowledge", new StringContent("{\"by\":\"x\"}", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Conflict, ack.StatusCode);
        }

        Assert.Equal(before, Snapshot(store));
        // A reader of a WAL-mode file may leave an empty WAL beside it (SQLite's own bookkeeping): nothing was written to it.
        Assert.True(!File.Exists(store + "-wal") || new FileInfo(store + "-wal").Length == 0, "the WAL must hold no write");
    }

    /// <summary>The store file's size and SHA-256.</summary>
    private static string Snapshot(string store) => $"{new FileInfo(store).Length}:{Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(store)))}";
}
