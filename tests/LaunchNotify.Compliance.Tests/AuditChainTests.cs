using System.Text.Json.Nodes;
using LaunchNotify.Node.Audit;
using LaunchNotify.Storage.Audit;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace LaunchNotify.Compliance.Tests;

/// <summary>The hash chain on one store: appends in the writer's transaction, never forked, and every kind of tampering named.</summary>
public abstract class AuditChainTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 20, 14, 0);

    protected abstract Task<ITestStore> CreateStoreAsync();

    [Fact]
    public async Task Verify_OfAnEmptyLog_IsIntact()
    {
        await using var store = await CreateStoreAsync();
        await using var db = store.NewContext();

        var result = await AuditVerifier.VerifyAsync(db);

        Assert.True(result.Intact);
        Assert.Equal(0, result.Checked);
        Assert.Equal(AuditChain.GenesisHash, result.HeadHash);
    }

    [Fact]
    public async Task Append_InOneAndInSeveralTransactions_NumbersFromOneAndLinksEachToThePrevious()
    {
        await using var store = await CreateStoreAsync();
        await AppendAsync(store, 3, from: 1);
        await AppendAsync(store, 1, from: 4);
        await AppendAsync(store, 1, from: 5, explicitTransaction: false);

        await using var db = store.NewContext();
        var entries = await db.Set<AuditEntry>().OrderBy(e => e.Seq).ToListAsync();
        Assert.Equal([1L, 2, 3, 4, 5], entries.Select(e => e.Seq));
        Assert.Equal(AuditChain.GenesisHash, entries[0].PrevHash);
        for (var i = 1; i < entries.Count; i++)
            Assert.Equal(entries[i - 1].Hash, entries[i].PrevHash);
        Assert.All(entries, e => Assert.Equal(AuditChain.ComputeHash(e), e.Hash));
        Assert.Equal("{\"n\":3,\"note\":\"événement \\\"3\\\"\"}", entries[2].DetailsJson);

        var result = await AuditVerifier.VerifyAsync(db);
        Assert.True(result.Intact, string.Join("; ", result.Breaks));
        Assert.Equal(5, result.Checked);
        Assert.Equal((5L, entries[4].Hash), await AuditQueries.HeadAsync(db, default));
    }

    [Fact]
    public async Task Append_AtAnInstantFinerThanTheStoresTicks_HashesTheInstantAsStored()
    {
        await using var store = await CreateStoreAsync();
        var at = T0 + Duration.FromNanoseconds(123_456_789);
        await using (var db = store.NewContext())
        {
            AuditChain.Append(db, at, "published", new AuditSubject(Centre: "RU"), new JsonObject { ["n"] = 1 });
            await db.SaveChangesAsync();
        }

        await using var check = store.NewContext();
        var entry = await check.Set<AuditEntry>().SingleAsync();
        Assert.Equal(T0 + Duration.FromNanoseconds(123_456_700), entry.At);
        var result = await AuditVerifier.VerifyAsync(check);
        Assert.True(result.Intact, string.Join("; ", result.Breaks));
    }

    [Fact]
    public async Task Append_WhenTheTransactionRollsBack_LeavesNeitherTheStateNorTheEntryNorAGap()
    {
        await using var store = await CreateStoreAsync();
        await AppendAsync(store, 2, from: 1);

        await using (var db = store.NewContext())
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            db.Outbox.Add(OutboxEntryFor("RU"));
            AuditChain.Append(db, T0, "published", new AuditSubject(Centre: "RU"), new JsonObject { ["n"] = 99 });
            await db.SaveChangesAsync();
            await tx.RollbackAsync();
        }
        await AppendAsync(store, 1, from: 3);

        await using var check = store.NewContext();
        Assert.Empty(await check.Outbox.ToListAsync());
        Assert.Equal([1L, 2, 3], await check.Set<AuditEntry>().OrderBy(e => e.Seq).Select(e => e.Seq).ToListAsync());
        Assert.True((await AuditVerifier.VerifyAsync(check)).Intact);
    }

    [Fact]
    public async Task Append_WithoutAnExplicitTransaction_CommitsOrFailsTogetherWithTheStateChange()
    {
        await using var store = await CreateStoreAsync();
        await using (var db = store.NewContext())
        {
            db.Alarms.Add(AlarmWithKey("K1"));
            AuditChain.Append(db, T0, "alarm-raised", new AuditSubject(Centre: "RU"), new JsonObject { ["key"] = "K1" });
            await db.SaveChangesAsync();
        }
        await using (var db = store.NewContext())
        {
            // The same dedupe key again violates the unique index: the save fails, and the audit entry must go with it.
            db.Alarms.Add(AlarmWithKey("K1"));
            AuditChain.Append(db, T0, "alarm-raised", new AuditSubject(Centre: "RU"), new JsonObject { ["key"] = "K1 again" });
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        }

        await using var check = store.NewContext();
        var entry = Assert.Single(await check.Set<AuditEntry>().ToListAsync());
        Assert.Equal("{\"key\":\"K1\"}", entry.DetailsJson);
        Assert.Equal((1L, entry.Hash), await AuditQueries.HeadAsync(check, default));
        Assert.True((await AuditVerifier.VerifyAsync(check)).Intact);
    }

    [Fact]
    public async Task AContextWhoseAuditedSaveFailed_StillHoldsItsEntries_AndSavesThemOnceWhenSavedAgain()
    {
        await using var store = await CreateStoreAsync();
        await using (var db = store.NewContext())
        {
            db.Alarms.Add(AlarmWithKey("K1"));
            await db.SaveChangesAsync();
        }
        await using var retrying = store.NewContext();
        var duplicate = AlarmWithKey("K1");
        retrying.Alarms.Add(duplicate);
        AuditChain.Append(retrying, T0, "alarm-raised", new AuditSubject(Centre: "RU"), new JsonObject { ["key"] = "K2" });
        await Assert.ThrowsAsync<DbUpdateException>(() => retrying.SaveChangesAsync());

        // The entries were written by the interceptor before EF Core's own statements failed: rolled back with them, and
        // the unit of work holds them again, as it would had EF Core written them.
        Assert.Single(retrying.ChangeTracker.Entries<AuditEntry>(), e => e.State == EntityState.Added);
        await AppendAsync(store, 2, from: 1);
        duplicate.DedupeKey = "K2";
        await retrying.SaveChangesAsync();

        await using var check = store.NewContext();
        var entries = await check.Set<AuditEntry>().OrderBy(e => e.Seq).ToListAsync();
        Assert.Equal([1L, 2, 3], entries.Select(e => e.Seq));
        Assert.Equal("{\"key\":\"K2\"}", entries[2].DetailsJson);
        var result = await AuditVerifier.VerifyAsync(check);
        Assert.True(result.Intact, string.Join("; ", result.Breaks));
    }

    [Fact]
    public async Task AnAuditWriteThatFails_FailsTheSaveAsEfCoreWould_AndLeavesNeitherTheStateNorTheHeadMoved()
    {
        await using var store = await CreateStoreAsync();
        await AppendAsync(store, 2, from: 1);
        // A row planted past the head by SQL: the next save's entry is numbered 3 and its insert fails on the key.
        var planted = new AuditEntry { Seq = 3, At = T0, Type = "submitted", DetailsJson = """{"planted":1}""", PrevHash = AuditChain.GenesisHash };
        planted.Hash = AuditChain.ComputeHash(planted);
        await InsertRawAsync(store, planted);

        await using (var db = store.NewContext())
        {
            db.Alarms.Add(AlarmWithKey("K1"));
            AuditChain.Append(db, T0, "alarm-raised", new AuditSubject(Centre: "RU"), new JsonObject { ["key"] = "K1" });
            var failure = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
            // What tells a transient fault from others (the inbox's retry or park) still finds the store's own exception.
            Assert.IsAssignableFrom<System.Data.Common.DbException>(failure.InnerException);
            Assert.Single(db.ChangeTracker.Entries<AuditEntry>(), e => e.State == EntityState.Added);
        }

        await using var check = store.NewContext();
        Assert.Empty(await check.Alarms.ToListAsync());
        Assert.Equal(2L, (await AuditQueries.HeadAsync(check, default)).Seq);
    }

    [Fact]
    public async Task AContextWhoseAuditedSaveFailed_SavesAgainWithoutEntries_AfterAnotherWriterAppended_AndTheHeadStaysTheOthers()
    {
        await using var store = await CreateStoreAsync();
        await using (var db = store.NewContext())
        {
            db.Alarms.Add(AlarmWithKey("K1"));
            await db.SaveChangesAsync();
        }
        await using var failing = store.NewContext();
        var duplicate = AlarmWithKey("K1");
        failing.Alarms.Add(duplicate);
        AuditChain.Append(failing, T0, "alarm-raised", new AuditSubject(Centre: "RU"), new JsonObject { ["key"] = "K1 again" });
        await Assert.ThrowsAsync<DbUpdateException>(() => failing.SaveChangesAsync());

        // Meanwhile another process appends; then the first context drops what failed and saves something unaudited.
        await AppendAsync(store, 2, from: 1);
        failing.Entry(duplicate).State = EntityState.Detached;
        foreach (var pending in failing.ChangeTracker.Entries<AuditEntry>().ToList())
            pending.State = EntityState.Detached;
        failing.Outbox.Add(OutboxEntryFor("RU"));
        await failing.SaveChangesAsync();
        await AppendAsync(store, 1, from: 3);

        await using var check = store.NewContext();
        var entries = await check.Set<AuditEntry>().OrderBy(e => e.Seq).ToListAsync();
        Assert.Equal([1L, 2, 3], entries.Select(e => e.Seq));
        // The failed save's head (with its never-stored entry's hash) was not written over the other writer's.
        Assert.Equal((3L, entries[2].Hash), await AuditQueries.HeadAsync(check, default));
        var result = await AuditVerifier.VerifyAsync(check);
        Assert.True(result.Intact, string.Join("; ", result.Breaks));
    }

    [Fact]
    public async Task Append_FromTwoWritersAtOnce_NeverForksTheChain()
    {
        await using var store = await CreateStoreAsync();
        const int perWriter = 25;

        // Two contexts on their own connections and threads, like a centre's publisher and subscriber processes.
        await Task.WhenAll(
            Task.Run(() => WriterAsync(store, "US", explicitTransaction: true)),
            Task.Run(() => WriterAsync(store, "RU", explicitTransaction: false)));

        await using var db = store.NewContext();
        var seqs = await db.Set<AuditEntry>().OrderBy(e => e.Seq).Select(e => e.Seq).ToListAsync();
        Assert.Equal(Enumerable.Range(1, 2 * perWriter).Select(i => (long)i), seqs);
        Assert.Equal(perWriter, await db.Set<AuditEntry>().CountAsync(e => e.Centre == "US"));
        var result = await AuditVerifier.VerifyAsync(db);
        Assert.True(result.Intact, string.Join("; ", result.Breaks));

        async Task WriterAsync(ITestStore s, string centre, bool explicitTransaction)
        {
            for (var i = 0; i < perWriter; i++)
            {
                await using var writer = s.NewContext();
                await using var tx = explicitTransaction ? await writer.Database.BeginTransactionAsync() : null;
                writer.Outbox.Add(OutboxEntryFor(centre));
                AuditChain.Append(writer, T0 + Duration.FromSeconds(i), "published", new AuditSubject(Centre: centre), new JsonObject { ["n"] = i });
                await writer.SaveChangesAsync();
                if (tx is not null)
                    await tx.CommitAsync();
            }
        }
    }

    [Fact]
    public async Task BeginLockedTransaction_WhenAnotherWriterSavesMeanwhile_NeitherWaitsForTheOtherForever()
    {
        await using var store = await CreateStoreAsync();
        var alarm = AlarmWithKey("K");
        await using (var db = store.NewContext())
        {
            db.Alarms.Add(alarm);
            await db.SaveChangesAsync();
        }
        var t1Locked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var t2Waiting = new TaskCompletionSource<Task>(TaskCreationOptions.RunContinuationsAsynchronously);

        // T1 is shaped like the outbox dispatcher: it locks a row with ExecuteUpdate before it saves its audit entry.
        async Task First()
        {
            await using var db = store.NewContext();
            await using var tx = await AuditLog.BeginLockedTransactionAsync(db, default);
            await db.Alarms.Where(a => a.Id == alarm.Id).ExecuteUpdateAsync(u => u.SetProperty(a => a.AcknowledgedBy, "first"));
            t1Locked.SetResult();
            // Go on only once the second writer is blocked on this one's locks: the race the test is about is on.
            await (await t2Waiting.Task).WaitAsync(TimeSpan.FromSeconds(30));
            AuditChain.Append(db, T0, "alarm-acknowledged", new AuditSubject(AlarmId: alarm.Id), new JsonObject { ["by"] = "first" });
            await db.SaveChangesAsync();
            await tx.CommitAsync();
        }

        // T2 is shaped like the inbox applying a receipt: its save takes the chain lock, then updates that row.
        async Task Second()
        {
            await t1Locked.Task;
            await using var db = store.NewContext();
            t2Waiting.SetResult(await LockWait.ObserveAsync(db));
            await using var tx = await db.Database.BeginTransactionAsync();
            var row = await db.Alarms.SingleAsync(a => a.Id == alarm.Id);
            row.ResolvedBy = "second";
            AuditChain.Append(db, T0, "alarm-resolved", new AuditSubject(AlarmId: alarm.Id), new JsonObject { ["by"] = "second" });
            await db.SaveChangesAsync();
            await tx.CommitAsync();
        }

        await Task.WhenAll(Task.Run(First), Task.Run(Second)).WaitAsync(TimeSpan.FromSeconds(30));

        await using var check = store.NewContext();
        Assert.Equal(["alarm-acknowledged", "alarm-resolved"], await check.Set<AuditEntry>().OrderBy(e => e.Seq).Select(e => e.Type).ToListAsync());
        var stored = await check.Alarms.SingleAsync();
        Assert.Equal(("first", "second"), (stored.AcknowledgedBy, stored.ResolvedBy));
        Assert.True((await AuditVerifier.VerifyAsync(check)).Intact);
    }

    [Fact]
    public async Task Verify_WhenAnEntrysDetailsAreChangedBySql_NamesThatEntryAndItsContentHash()
    {
        await using var store = await CreateStoreAsync();
        await AppendAsync(store, 5, from: 1);

        await store.ExecuteAsync("""UPDATE "AuditEntries" SET "DetailsJson" = {0} WHERE "Seq" = 3""", """{"n":33,"note":"événement \"3\""}""");

        var first = await FirstBreakAsync(store);
        Assert.Equal(3, first.Seq);
        Assert.Equal(AuditProblem.ContentHash, first.Problem);
        Assert.Contains("content hash differs", first.Message);
    }

    [Fact]
    public async Task Verify_WhenDetailsAreReformattedBySql_SaysTheyAreNotCanonical()
    {
        await using var store = await CreateStoreAsync();
        await AppendAsync(store, 3, from: 1);

        await store.ExecuteAsync("""UPDATE "AuditEntries" SET "DetailsJson" = {0} WHERE "Seq" = 2""", """{"note":"événement \"2\"", "n":2}""");

        var first = await FirstBreakAsync(store);
        Assert.Equal((2L, AuditProblem.NotCanonical), (first.Seq, first.Problem));
    }

    [Fact]
    public async Task Verify_WhenAnEntryIsDeleted_NamesTheMissingNumber()
    {
        await using var store = await CreateStoreAsync();
        await AppendAsync(store, 5, from: 1);

        await store.ExecuteAsync("""DELETE FROM "AuditEntries" WHERE "Seq" = 3""");

        await using var db = store.NewContext();
        var result = await AuditVerifier.VerifyAsync(db);
        Assert.Equal((3L, AuditProblem.Missing), (result.FirstBreak!.Seq, result.FirstBreak.Problem));
        Assert.Contains("entry 3 is missing", result.FirstBreak.Message);
        // Entry 4 still names the deleted entry's hash.
        Assert.Contains(result.Breaks, b => b is { Seq: 4, Problem: AuditProblem.PrevLink });
    }

    [Fact]
    public async Task Verify_WhenTwoEntriesAreSwapped_NamesTheFirstReorderedEntry()
    {
        await using var store = await CreateStoreAsync();
        await AppendAsync(store, 5, from: 1);

        await store.ExecuteAsync("""UPDATE "AuditEntries" SET "Seq" = -2 WHERE "Seq" = 2""");
        await store.ExecuteAsync("""UPDATE "AuditEntries" SET "Seq" = 2 WHERE "Seq" = 3""");
        await store.ExecuteAsync("""UPDATE "AuditEntries" SET "Seq" = 3 WHERE "Seq" = -2""");

        var first = await FirstBreakAsync(store);
        Assert.Equal(2, first.Seq);
        Assert.Equal(AuditProblem.ContentHash, first.Problem);
    }

    [Fact]
    public async Task Verify_WhenAnEntryIsReplacedByAForkWithAValidHash_NamesTheBrokenPrevLinkAfterIt()
    {
        await using var store = await CreateStoreAsync();
        await AppendAsync(store, 5, from: 1);
        await using (var db = store.NewContext())
        {
            // A second branch from entry 3: a well-formed entry 4' whose prev and hash are right for it.
            var third = await db.Set<AuditEntry>().SingleAsync(e => e.Seq == 3);
            var fork = new AuditEntry { Seq = 4, At = T0, Type = "submitted", DetailsJson = """{"forged":1}""", PrevHash = third.Hash };
            fork.Hash = AuditChain.ComputeHash(fork);
            await store.ExecuteAsync("""DELETE FROM "AuditEntries" WHERE "Seq" = 4""");
            await InsertRawAsync(store, fork);
        }

        var first = await FirstBreakAsync(store);
        Assert.Equal((5L, AuditProblem.PrevLink), (first.Seq, first.Problem));
        Assert.Contains("prev link broken", first.Message);
    }

    [Fact]
    public async Task Verify_WhenAnEntryIsAppendedFromAnEarlierPoint_NamesItsPrevLinkAndTheHead()
    {
        await using var store = await CreateStoreAsync();
        await AppendAsync(store, 3, from: 1);
        await using (var db = store.NewContext())
        {
            var second = await db.Set<AuditEntry>().SingleAsync(e => e.Seq == 2);
            var fork = new AuditEntry { Seq = 4, At = T0, Type = "submitted", DetailsJson = """{"forged":1}""", PrevHash = second.Hash };
            fork.Hash = AuditChain.ComputeHash(fork);
            await InsertRawAsync(store, fork);
        }

        await using var check = store.NewContext();
        var result = await AuditVerifier.VerifyAsync(check);
        Assert.Equal((4L, AuditProblem.PrevLink), (result.FirstBreak!.Seq, result.FirstBreak.Problem));
        Assert.Contains(result.Breaks, b => b.Problem == AuditProblem.Head);
    }

    [Fact]
    public async Task Verify_WhenTheLastEntriesAreDeleted_SaysTheHeadPointsPastTheEnd()
    {
        await using var store = await CreateStoreAsync();
        await AppendAsync(store, 5, from: 1);

        await store.ExecuteAsync("""DELETE FROM "AuditEntries" WHERE "Seq" >= 4""");

        var first = await FirstBreakAsync(store);
        Assert.Equal((4L, AuditProblem.Head), (first.Seq, first.Problem));
        Assert.Contains("the log ends at 3", first.Message);
    }

    [Fact]
    public async Task Verify_WhenTheWholeChainIsRewrittenConsistently_IsCaughtByARecordedAnchor()
    {
        await using var store = await CreateStoreAsync();
        await AppendAsync(store, 4, from: 1);
        AuditAnchor anchor;
        await using (var db = store.NewContext())
        {
            var (seq, hash) = await AuditQueries.HeadAsync(db, default);
            anchor = new AuditAnchor(seq, hash);
        }

        // Someone with full write access edits entry 2 and recomputes every hash after it, and the head.
        await store.ExecuteAsync("""UPDATE "AuditEntries" SET "DetailsJson" = {0} WHERE "Seq" = 2""", """{"n":222}""");
        await using (var db = store.NewContext())
        {
            var prev = AuditChain.GenesisHash;
            foreach (var entry in await db.Set<AuditEntry>().OrderBy(e => e.Seq).ToListAsync())
            {
                entry.PrevHash = prev;
                entry.Hash = AuditChain.ComputeHash(entry);
                prev = entry.Hash;
                await store.ExecuteAsync($"""UPDATE "AuditEntries" SET "PrevHash" = '{entry.PrevHash}', "Hash" = '{entry.Hash}' WHERE "Seq" = {entry.Seq}""");
            }
            await store.ExecuteAsync($"""UPDATE "AuditChainHead" SET "Hash" = '{prev}'""");
        }

        await using var check = store.NewContext();
        Assert.True((await AuditVerifier.VerifyAsync(check)).Intact);
        var anchored = await AuditVerifier.VerifyAsync(check, anchor);
        Assert.Equal((4L, AuditProblem.Anchor), (anchored.FirstBreak!.Seq, anchored.FirstBreak.Problem));
    }

    [Fact]
    public async Task List_BySubject_FindsEntriesByMessageCentreOrAgreement()
    {
        await using var store = await CreateStoreAsync();
        var message = Guid.NewGuid();
        await using (var db = store.NewContext())
        {
            AuditChain.Append(db, T0, "submitted", new AuditSubject(message, null, "us-ru-bmlna-1988"), new JsonObject());
            AuditChain.Append(db, T0 + Duration.FromMinutes(1), "published", new AuditSubject(message, "RU"), new JsonObject());
            AuditChain.Append(db, T0 + Duration.FromMinutes(2), "published", new AuditSubject(Guid.NewGuid(), "CN"), new JsonObject());
            await db.SaveChangesAsync();
        }

        await using var check = store.NewContext();
        Assert.Equal([1L, 2], (await AuditQueries.ListAsync(check, null, message.ToString(), 100, default)).Select(e => e.Seq));
        Assert.Equal([3L], (await AuditQueries.ListAsync(check, null, "cn", 100, default)).Select(e => e.Seq));
        Assert.Equal([1L], (await AuditQueries.ListAsync(check, null, "us-ru-bmlna-1988", 100, default)).Select(e => e.Seq));
        Assert.Equal([2L, 3], (await AuditQueries.ListAsync(check, T0 + Duration.FromSeconds(30), null, 100, default)).Select(e => e.Seq));
    }

    private static async Task<AuditBreak> FirstBreakAsync(ITestStore store)
    {
        await using var db = store.NewContext();
        var result = await AuditVerifier.VerifyAsync(db);
        Assert.False(result.Intact, "tampering went unnoticed");
        return result.FirstBreak!;
    }

    [Fact]
    public async Task GeneratedEntries_AreSealedWithTheHashOfTheirCanonicalJsonTree_AndVerifyIntact()
    {
        // The sealing writes the canonical bytes directly; here they are checked against the JSON tree they stand for,
        // written by CanonicalJson, over generated subjects, actors and details with the characters JCS escapes.
        await using var store = await CreateStoreAsync();
        var random = new Random(20261206);
        string Text(int max)
        {
            const string alphabet = "aZ09 \"\\/\b\f\n\r\t\u0001\u001f\u007f éß中文Ж\u2028\U0001F680<>&'";
            var chars = new List<char>();
            for (var i = random.Next(max + 1); i > 0; i--)
            {
                var c = alphabet[random.Next(alphabet.Length)];
                chars.Add(c);
                if (char.IsHighSurrogate(c))
                    chars.Add('\uDE80');
                else if (char.IsLowSurrogate(c))
                    chars[^1] = 'x';
            }
            return new string([.. chars]);
        }
        var entries = new List<AuditEntry>();
        for (var round = 0; round < 6; round++)
        {
            await using var db = store.NewContext();
            for (var i = 0; i < 25; i++)
            {
                var details = new JsonObject { [Text(6) + i] = Text(40), ["n"] = random.Next(-1000, 1000), ["nested"] = new JsonObject { ["b"] = random.Next(2) == 0, ["list"] = new JsonArray(Text(5), null, 7) } };
                var subject = new AuditSubject(random.Next(3) == 0 ? null : Guid.NewGuid(), random.Next(3) == 0 ? null : "RU",
                    random.Next(3) == 0 ? null : "us-ru-bmlna-1988", random.Next(3) == 0 ? null : Guid.NewGuid());
                var actor = random.Next(2) == 0 ? null : new Actor("sub-" + Text(10) + "x", Text(20), Enumerable.Range(0, random.Next(3)).Select(_ => "role" + Text(4).Replace(",", "")));
                entries.Add(AuditChain.Append(db, T0 + Duration.FromTicks(random.NextInt64(1, 10_000_000_000)), random.Next(2) == 0 ? "submitted" : "alarm-raised", subject, details, actor));
            }
            await db.SaveChangesAsync();
        }

        Assert.All(entries, e => Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(TreeOf(e)))), e.Hash));
        await using var check = store.NewContext();
        Assert.True((await AuditVerifier.VerifyAsync(check)).Intact);
    }

    /// <summary>What the entry's canonical encoding stands for, as a JSON tree written by <see cref="CanonicalJson"/>.</summary>
    private static string TreeOf(AuditEntry entry)
    {
        var tree = new JsonObject
        {
            ["seq"] = entry.Seq,
            ["at"] = AuditChain.FormatInstant(entry.At),
            ["type"] = entry.Type,
            ["subject"] = new JsonObject
            {
                ["message"] = entry.MessageId?.ToString("D"), ["centre"] = entry.Centre, ["agreement"] = entry.AgreementId, ["alarm"] = entry.AlarmId?.ToString("D"),
            },
            ["details"] = JsonNode.Parse(entry.DetailsJson),
            ["prev"] = entry.PrevHash,
        };
        if (entry.ActorSubject is not null)
            tree["actor"] = new JsonObject
            {
                ["sub"] = entry.ActorSubject,
                ["name"] = entry.ActorName,
                ["roles"] = new JsonArray((entry.ActorRoles ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r => (JsonNode)JsonValue.Create(r)).ToArray()),
            };
        return CanonicalJson.Serialize(tree);
    }

    /// <summary>Appends entries n = from … from+count-1, all in one transaction.</summary>
    private static async Task AppendAsync(ITestStore store, int count, int from, bool explicitTransaction = true)
    {
        await using var db = store.NewContext();
        await using var tx = explicitTransaction ? await db.Database.BeginTransactionAsync() : null;
        for (var n = from; n < from + count; n++)
            AuditChain.Append(db, T0 + Duration.FromMilliseconds(250 * n), "submitted", new AuditSubject(Guid.NewGuid(), "RU", "us-ru-bmlna-1988"),
                new JsonObject { ["note"] = $"événement \"{n}\"", ["n"] = n });
        await db.SaveChangesAsync();
        if (tx is not null)
            await tx.CommitAsync();
    }

    private static async Task InsertRawAsync(ITestStore store, AuditEntry e)
    {
        await using var db = store.NewContext();
        await db.Database.ExecuteSqlRawAsync(
            """
            INSERT INTO "AuditEntries" ("Seq", "At", "Type", "MessageId", "Centre", "AgreementId", "AlarmId", "DetailsJson", "PrevHash", "Hash")
            VALUES ({0}, {1}, {2}, NULL, NULL, NULL, NULL, {3}, {4}, {5})
            """,
            e.Seq, e.At.ToUnixTimeTicks(), e.Type, e.DetailsJson, e.PrevHash, e.Hash);
    }

    private static OutboxEntry OutboxEntryFor(string recipient) => new()
    {
        MessageId = Guid.NewGuid(),
        Kind = "prenotification",
        Recipient = recipient,
        RoutingKey = $"{recipient}.US.prenotification",
        Body = [1, 2, 3],
        CreatedAt = T0,
    };

    private static Alarm AlarmWithKey(string key) => new()
    {
        Id = Guid.NewGuid(),
        DedupeKey = key,
        Summary = "test",
        RaisedAt = T0,
    };
}

public sealed class SqliteAuditChainTests : AuditChainTests
{
    protected override async Task<ITestStore> CreateStoreAsync() => await SqliteTestStore.CreateAsync();
}

public sealed class PostgresAuditChainTests(PostgresServer postgres) : AuditChainTests, IClassFixture<PostgresServer>
{
    protected override async Task<ITestStore> CreateStoreAsync() => await postgres.CreateStoreAsync();
}
