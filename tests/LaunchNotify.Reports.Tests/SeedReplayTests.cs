using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LaunchNotify.Node.Audit;
using LaunchNotify.Node.Evidence;
using LaunchNotify.Node.Seeding;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Testing;

namespace LaunchNotify.Reports.Tests;

/// <summary>
/// The seeder's fast pace (watchers asleep until their next deadline, stores copied from one migrated schema) against
/// its reference pace (<see cref="SeedOptions.Reference"/>): the same seed must store the same history, row for row, and
/// what it stores must verify as evidence (signatures, audit chains).
/// </summary>
public sealed partial class SeedReplayTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "launchnotify-replay-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task Seed_FastPace_StoresTheSameHistoryAsTheReferencePace_AndItVerifies()
    {
        // All five reference centres (bilateral and HCoC links, heartbeats, an outage), long enough for every alarm kind.
        var fast = new SeedOptions { Directory = Path.Combine(_root, "fast"), Days = 75, Scale = 2, Seed = 4 };
        var reference = fast with { Directory = Path.Combine(_root, "reference"), Reference = true };

        var referenceSummary = await HistorySeeder.RunAsync(reference, null, default);
        var fastSummary = await HistorySeeder.RunAsync(fast, null, default);

        Assert.Equal(Describe(referenceSummary), Describe(fastSummary));
        Assert.True(fastSummary.Submitted > 20 && fastSummary.Heartbeats > 300 && fastSummary.AlarmsRaised > 10, Describe(fastSummary));
        var checkedRows = 0;
        foreach (var centre in fast.Centres)
        {
            var expected = Dump(reference.StorePath(centre), reference.KeysDirectory);
            var actual = Dump(fast.StorePath(centre), fast.KeysDirectory);
            Assert.Equal(expected.Tables.Keys, actual.Tables.Keys);
            foreach (var (table, rows) in expected.Tables)
            {
                // Row by row, so that a difference names its table and row.
                Assert.True(rows.Count == actual.Tables[table].Count, $"{centre} {table}: {rows.Count} rows in the reference, {actual.Tables[table].Count} in the fast seed");
                for (var i = 0; i < rows.Count; i++)
                    Assert.True(rows[i] == actual.Tables[table][i], $"{centre} {table} row {i + 1}:\n reference {rows[i]}\n fast      {actual.Tables[table][i]}");
                checkedRows += rows.Count;
            }
        }
        Assert.True(checkedRows > 3000, $"only {checkedRows} rows compared");

        // What the fast seed stored verifies: every audit chain, and every notification's evidence bundle offline.
        var trusted = KeyStore.LoadTrustedKeys(fast.KeysDirectory);
        var bundles = 0;
        foreach (var centre in fast.Centres)
        {
            var store = StorageOptions.SqliteFile(fast.StorePath(centre));
            await using var db = new NodeDbContext(store.ToDbContextOptions());
            var audit = await AuditVerifier.VerifyAsync(db);
            Assert.True(audit.Intact, $"{centre}: {string.Join("; ", audit.Breaks)}");
            Assert.True(audit.Checked > 100, $"{centre}: only {audit.Checked} audit entries");

            var exporter = new EvidenceExporter(new StoreContextFactory(store), trusted, new FakeClock(fast.End));
            foreach (var id in await db.OutboundMessages.Select(m => m.MessageId).ToListAsync())
            {
                var export = (await exporter.ExportAsync(id, default))!;
                Assert.Empty(export.Warnings);
                var report = EvidenceVerifier.Verify(export.ToUtf8(), trusted);
                Assert.True(report.Passed, $"{centre} {id}: {string.Join("; ", report.Checks.Where(c => c.Status == CheckStatus.Fail))}");
                bundles++;
            }
        }
        Assert.Equal(fastSummary.Submitted, bundles);
    }

    [Fact]
    public void Dump_TellsApartStoresThatDiffer_InAnythingButWhatIsRandomInEveryRun()
    {
        // The comparison above is only as good as the dump: a changed column must show, a fresh signature must not.
        var keys = Path.Combine(_root, "keys");
        var signer = KeyStore.Generate(new("US"), keys, overwrite: true);
        var a = MakeStore("a", signer, outcome: "Accepted");
        var b = MakeStore("b", signer, outcome: "Accepted");
        var c = MakeStore("c", signer, outcome: "Rejected");
        Assert.Equal(Dump(a, keys).Tables["Inbox"], Dump(b, keys).Tables["Inbox"]);
        Assert.NotEqual(Dump(a, keys).Tables["Inbox"], Dump(c, keys).Tables["Inbox"]);
        signer.Dispose();
    }

    private string MakeStore(string name, CentreKey signer, string outcome)
    {
        var path = Path.Combine(_root, name + ".db");
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        // Two runs of the same history: new ids, and ECDSA signatures that differ each time they are made.
        var id = Guid.NewGuid();
        var jws = new JwsPayloadSigner(signer).Sign(Encoding.UTF8.GetBytes($$"""{"messageId":"{{id}}","sender":"US"}"""));
        command.CommandText = "CREATE TABLE Inbox (MessageId TEXT, Jws BLOB, Outcome TEXT, Hash TEXT); INSERT INTO Inbox VALUES ($id, $jws, $outcome, $hash);";
        command.Parameters.AddWithValue("$id", id.ToString());
        command.Parameters.AddWithValue("$jws", jws);
        command.Parameters.AddWithValue("$outcome", outcome);
        command.Parameters.AddWithValue("$hash", Guid.NewGuid().ToString("N"));
        command.ExecuteNonQuery();
        return path;
    }

    private static string Describe(SeedSummary s) =>
        JsonSerializer.Serialize(s with { Elapsed = TimeSpan.Zero }, new JsonSerializerOptions { WriteIndented = false })
            .Replace(s.Stores.Values.FirstOrDefault() is { } first ? Path.GetDirectoryName(Path.GetDirectoryName(first))! : "\0", "");

    private sealed record StoreDump(SortedDictionary<string, List<string>> Tables);

    /// <summary>
    /// Every table of a store, each row as text in insertion order, with what differs between two runs of the same
    /// history made comparable: ids (UUIDs) and key ids named by first appearance; each JWS shown as its header and
    /// payload (ECDSA signatures differ each time); SHA-256 digests and audit hashes left out (they cover signatures and
    /// those ids; <see cref="AuditVerifier"/> checks them).
    /// </summary>
    private static StoreDump Dump(string path, string keysDirectory)
    {
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var kids = File.Exists(Path.Combine(keysDirectory, "jwks.json"))
            ? JsonNode.Parse(File.ReadAllText(Path.Combine(keysDirectory, "jwks.json")))!["keys"]!.AsArray().Select(k => (string)k!["kid"]!).ToList()
            : Directory.EnumerateFiles(keysDirectory, "public.jwk.json", SearchOption.AllDirectories).Select(f => (string)JsonNode.Parse(File.ReadAllText(f))!["kid"]!).ToList();
        string Normalize(string text)
        {
            if (text.StartsWith("{\"protected\"", StringComparison.Ordinal) && JsonNode.Parse(text) is JsonObject jws && jws["payload"] is not null)
                return "jws(" + Normalize(Base64Url((string)jws["protected"]!)) + "." + Normalize(Base64Url((string)jws["payload"]!)) + ")";
            foreach (var kid in kids)
                text = text.Replace(kid, "kid:" + kid[..2]);
            text = Digest().Replace(text, "sha256");
            return Uuid().Replace(text, m =>
            {
                if (!names.TryGetValue(m.Value, out var name))
                    names[m.Value] = name = "id" + names.Count;
                return name;
            });
        }

        var tables = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var tableNames = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name NOT LIKE '\\_\\_EF%' ESCAPE '\\' ORDER BY name";
            using var reader = list.ExecuteReader();
            while (reader.Read())
                tableNames.Add(reader.GetString(0));
        }
        foreach (var table in tableNames)
        {
            var rows = new List<string>();
            using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\" ORDER BY rowid";
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                var row = new StringBuilder();
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    if (reader.GetName(i) is "Hash" or "PrevHash")
                        continue;
                    row.Append(reader.GetName(i)).Append('=').Append(reader.GetValue(i) switch
                    {
                        DBNull => "null",
                        byte[] bytes => Normalize(Encoding.UTF8.GetString(bytes)),
                        string s => Normalize(s),
                        var v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture),
                    }).Append(" | ");
                }
                rows.Add(row.ToString());
            }
            tables[table] = rows;
        }
        return new StoreDump(tables);
    }

    private static string Base64Url(string text) => Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(text));

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-f]{32}")]
    private static partial Regex Uuid();

    [GeneratedRegex("\\b[0-9a-f]{64}\\b")]
    private static partial Regex Digest();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
