using LaunchNotify.Node.Audit;
using LaunchNotify.Node.Inbox;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Node.Submission;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Audit;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace LaunchNotify.Node.Tests;

/// <summary>
/// The inbox's group commit: deliveries processed at the same time share one transaction, each in its own savepoint;
/// every caller returns only after the commit; one failing step loses only its own writes.
/// </summary>
public sealed class GroupCommitTests(PostgresSchemaFixture postgres) : IClassFixture<PostgresSchemaFixture>, IAsyncLifetime
{
    private readonly TestWorld _world = new("US", "RU");

    public Task InitializeAsync() => Task.CompletedTask;

    private readonly List<PostgresSchemaFixture> _ownSchemas = [];

    public async Task DisposeAsync()
    {
        await _world.DisposeAsync();
        foreach (var schema in _ownSchemas)
            await schema.DisposeAsync();
    }

    [Fact]
    public Task ConcurrentDeliveries_OnSqlite_AreCommittedInFewerTransactions_EachStoredOnceWithItsReceipt_AuditIntact() => ConcurrentDeliveriesAsync(null);

    [Fact]
    public Task ConcurrentDeliveries_OnPostgres_AreCommittedInFewerTransactions_EachStoredOnceWithItsReceipt_AuditIntact() => ConcurrentDeliveriesAsync(postgres.Store);

    private async Task ConcurrentDeliveriesAsync(StorageOptions? store)
    {
        using var counter = store is null ? StatementCounter.Start(_world.Folder) : StatementCounter.StartOnPostgres(store.ConnectionString);
        var us = await _world.StartAsync("US");
        var ru = await _world.StartAsync("RU", store);
        const int count = 24;
        for (var i = 0; i < count; i++)
            await us.NotifyAsync("RU", Duration.FromHours(3));
        await using var usDb = us.NewDb();
        var entries = await usDb.Outbox.Where(o => o.Recipient == "RU").OrderBy(o => o.Id).ToListAsync();
        Assert.Equal(count, entries.Count);

        // Keep the committer busy while every delivery is handed in, so that they queue behind one another as under
        // load; the first message is delivered twice more to race its own claim inside a batch.
        var committer = ru.Services.GetRequiredService<GroupCommitter>();
        var batchesBefore = committer.Batches;
        Task<InboxResult>[] processing;
        counter.Commands.Clear();
        await using (var busy = await BusyAsync(committer))
        {
            processing = [.. entries.Concat([entries[0], entries[0]]).Select(e => Task.Run(() => ru.Inbox.ProcessAsync(
                new InboundDelivery(e.Body, "US", e.RoutingKey, e.MessageId.ToString("D"), e.Kind, AmqpPublisher.ContentType), CancellationToken.None)))];
            // Every delivery is verified and waiting for the store before the committer is free again.
            await Eventually(() => committer.Pending == processing.Length + 1);
        }
        var results = await Task.WhenAll(processing);

        Assert.Equal(count, results.Count(r => r.Disposition == InboxDisposition.Accepted));
        Assert.Equal(2, results.Count(r => r.Disposition == InboxDisposition.Duplicate));
        Assert.All(results.Where(r => r.Disposition == InboxDisposition.Duplicate), r => Assert.Equal(entries[0].MessageId, r.MessageId));
        // The busy step's own batch, then the 26 deliveries: at most one more if the first slipped in before it.
        Assert.True(committer.Batches - batchesBefore <= 3, $"{committer.Batches - batchesBefore} transactions for {processing.Length} deliveries");

        await using var db = ru.NewDb();
        var stored = await db.Inbox.Where(m => m.Sender == "US").ToListAsync();
        Assert.Equal(entries.Select(e => e.MessageId).Order(), stored.Select(m => m.MessageId).Order());
        Assert.All(stored, m => Assert.NotNull(m.ReceiptJws));
        // One receipt per message, repeated once per duplicate: 24 + 2 outbox entries, each receipt's id its message's.
        var receipts = await db.Outbox.Where(o => o.Recipient == "US").ToListAsync();
        Assert.Equal(count + 2, receipts.Count);
        Assert.Equal(stored.Select(m => m.ReceiptMessageId!.Value).Order(), receipts.Select(o => o.MessageId).Distinct().Order());
        // A duplicate took no receipt number (its claim failed; on PostgreSQL the claim and the number are one statement):
        // the receipts are numbered 1 to 24, without a gap the sender would take for a missing receipt.
        Assert.Equal(count, await db.SequenceCounters.Where(c => c.Sender == "RU" && c.Recipient == "US" && c.Stream == SequenceAllocator.ReceiptStream).SumAsync(c => c.Last));
        var audit = await AuditVerifier.VerifyAsync(db);
        Assert.True(audit.Intact, audit.FirstBreak?.ToString());
        Assert.Equal(count, await db.Set<AuditEntry>().CountAsync(e => e.Type == AuditTypes.Received));

        // A batch's audit entries are sealed at its end, and its receipts numbered there, on both stores: one reservation of
        // the chain's head and one statement on the link's receipt counter per batch, not per step (26 steps here in at
        // most three batches; the sender's store is idle meanwhile). On PostgreSQL that is what keeps the head and the
        // counter row locked from the batch's end to its commit only.
        var reservations = counter.Commands.Count(c => c.Contains("\"AuditChainHead\".\"Seq\" +", StringComparison.Ordinal));
        Assert.True(reservations <= 3, $"{reservations} reservations of the audit chain's head for {processing.Length} deliveries");
        var numberings = counter.Commands.Count(c => c.Contains("INSERT INTO \"SequenceCounters\"", StringComparison.Ordinal));
        Assert.True(numberings <= 3, $"{numberings} statements on the receipt counter for {processing.Length} deliveries");

        // On PostgreSQL a savepoint is never released (the commit ends them all).
        if (store is not null)
        {
            Assert.DoesNotContain(counter.Commands, c => c.Contains("SAVEPOINT", StringComparison.Ordinal) && c.Contains("RELEASED", StringComparison.Ordinal));
        }

        // The sender applies them all: every delivery confirmed.
        await _world.DeliverAsync(ru, us);
        Assert.Equal(count, await usDb.Deliveries.CountAsync(d => d.Recipient == "RU" && d.Status == DeliveryStatus.Confirmed));
    }

    [Fact]
    public async Task ConcurrentSubmissions_ShareTransactions_AndAreNumberedWithoutGapsOrRepeats()
    {
        var us = await _world.StartAsync("US");
        var committer = us.Services.GetRequiredService<GroupCommitter>();
        await us.NotifyAsync("RU", Duration.FromHours(3)); // #1, alone
        var batchesBefore = committer.Batches;
        const int count = 20;
        Task<SubmissionResult>[] submitting;
        await using (var busy = await BusyAsync(committer))
        {
            submitting = [.. Enumerable.Range(0, count).Select(_ => Task.Run(() => us.NotifyAsync("RU", Duration.FromHours(3))))];
            await Eventually(() => committer.Pending == count + 1);
        }
        var results = await Task.WhenAll(submitting);
        Assert.True(committer.Batches - batchesBefore <= 2, $"{committer.Batches - batchesBefore} transactions for {count} submissions");
        Assert.Equal(Enumerable.Range(2, count).Select(i => (long)i), results.Select(r => Assert.Single(r.Recipients).Sequence).Order());

        await using var db = us.NewDb();
        Assert.Equal(count + 1, await db.OutboundMessages.CountAsync());
        Assert.Equal(Enumerable.Range(1, count + 1).Select(i => (long)i), (await db.Deliveries.Select(d => d.Sequence).ToListAsync()).Order());
        var audit = await AuditVerifier.VerifyAsync(db);
        Assert.True(audit.Intact, audit.FirstBreak?.ToString());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AFailingStep_LosesOnlyItsOwnWrites_AndItsCallerGetsTheException(string provider)
    {
        using var counter = provider == "postgres" ? StatementCounter.StartOnPostgres(postgres.Store.ConnectionString) : StatementCounter.Start(_world.Folder);
        var ru = await _world.StartAsync("RU", provider == "postgres" ? postgres.Store : null);
        var committer = ru.Services.GetRequiredService<GroupCommitter>();
        // EF Core looks whether anyone listens to its command events about once a second, and this class's other tests ran
        // contexts on the same store before: until it has seen the counter, a step's statements would go uncounted.
        await EventuallyAsync(async () =>
        {
            await committer.RunAsync((db, ct) => db.Outbox.CountAsync(ct), CancellationToken.None);
            return !counter.Commands.IsEmpty;
        });
        counter.Commands.Clear();
        var at = _world.Clock.GetCurrentInstant();
        // This test's rows (the PostgreSQL schema is the class's, shared with its other tests).
        var routingKey = $"US.RU.{Guid.NewGuid():N}";

        Task<Guid> Write(bool fail) => committer.RunAsync(async (db, ct) =>
        {
            var id = Guid.NewGuid();
            db.Outbox.Add(new OutboxEntry { MessageId = id, Kind = "receipt", Recipient = "US", RoutingKey = routingKey, Body = [1], CreatedAt = at });
            AuditChain.Append(db, at, "test-step", new AuditSubject(MessageId: id), new System.Text.Json.Nodes.JsonObject { ["routingKey"] = routingKey });
            await db.SaveChangesAsync(ct);
            if (fail) throw new InvalidOperationException("step failed after its save");
            return id;
        }, CancellationToken.None);

        Task<Guid>[] steps;
        await using (var busy = await BusyAsync(committer))
        {
            steps = [Write(false), Write(true), Write(false), Write(true), Write(false)];
            await Eventually(() => committer.Pending == steps.Length + 1);
        }
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => steps[1]);
        Assert.Equal("step failed after its save", failure.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => steps[3]);
        var kept = await Task.WhenAll(steps[0], steps[2], steps[4]);

        await using var db = ru.NewDb();
        Assert.Equal(kept.Order(), (await db.Outbox.Where(o => o.RoutingKey == routingKey).Select(o => o.MessageId).ToListAsync()).Order());
        // Their audit entries likewise (sealed at the batch's end), the chain unbroken.
        var audited = await db.Set<AuditEntry>().Where(e => e.Type == "test-step" && e.DetailsJson.Contains(routingKey)).ToListAsync();
        Assert.Equal(kept.Order(), audited.Select(e => e.MessageId!.Value).Order());
        var chain = await AuditVerifier.VerifyAsync(db);
        Assert.True(chain.Intact, chain.FirstBreak?.ToString());
        // On PostgreSQL a step's savepoint is not released (a round trip while the batch holds its locks): the next step's
        // hides it and the commit ends them all; a failed step still lost only its own writes (above).
        if (provider == "postgres")
        {
            Assert.Contains(counter.Commands, c => c.Contains("SAVEPOINT", StringComparison.Ordinal) && c.Contains("CREATED", StringComparison.Ordinal));
            Assert.DoesNotContain(counter.Commands, c => c.Contains("SAVEPOINT", StringComparison.Ordinal) && c.Contains("RELEASED", StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// An audit entry appended by a step of a batch waits for the step's save outside EF Core's tracking, and keeps the
    /// chain's contract (AuditChain.Append): written by the step's next save, in the order appended, or not at all.
    /// </summary>
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AnEntryAppendedInABatch_IsNotTracked_AndIsWrittenByTheStepsNextSaveOrNotAtAll(string provider)
    {
        var ru = await _world.StartAsync("RU", provider == "postgres" ? postgres.Store : null);
        var committer = ru.Services.GetRequiredService<GroupCommitter>();
        var at = _world.Clock.GetCurrentInstant();
        var routingKey = $"US.RU.{Guid.NewGuid():N}";
        var tracked = new System.Collections.Concurrent.ConcurrentBag<int>();

        Task<bool> Step(string name, bool save, bool appendAgain) => committer.RunAsync(async (db, ct) =>
        {
            AuditChain.Append(db, at, "test-step", new AuditSubject(), new System.Text.Json.Nodes.JsonObject { ["routingKey"] = routingKey, ["name"] = name });
            tracked.Add(db.ChangeTracker.Entries<AuditEntry>().Count());
            if (save) await db.SaveChangesAsync(ct);
            if (appendAgain)
            {
                AuditChain.Append(db, at, "test-step", new AuditSubject(), new System.Text.Json.Nodes.JsonObject { ["routingKey"] = routingKey, ["name"] = name + "-again" });
                await db.SaveChangesAsync(ct);
            }
            return true;
        }, CancellationToken.None);

        // One batch: the three wait behind a busy step, then go together.
        Task[] steps;
        await using (var busy = await BusyAsync(committer))
        {
            steps = [Step("saved", save: true, appendAgain: false), Step("unsaved", save: false, appendAgain: false), Step("twice", save: true, appendAgain: true)];
            await Eventually(() => committer.Pending == steps.Length + 1);
        }
        await Task.WhenAll(steps);

        Assert.All(tracked, count => Assert.Equal(0, count));
        await using var db = ru.NewDb();
        var written = await db.Set<AuditEntry>().Where(e => e.Type == "test-step" && e.DetailsJson.Contains(routingKey)).OrderBy(e => e.Seq).ToListAsync();
        Assert.Equal(["saved", "twice", "twice-again"], written.Select(e => System.Text.Json.Nodes.JsonNode.Parse(e.DetailsJson)!["name"]!.GetValue<string>()));
        var chain = await AuditVerifier.VerifyAsync(db);
        Assert.True(chain.Intact, chain.FirstBreak?.ToString());
    }

    /// <summary>
    /// Notifications that overtook each other, stored in one batch: their numbers are applied to the link's sequence at the
    /// batch's end, in one go, and the link ends where one-at-a-time processing would leave it: the one number that never
    /// came is missing, with its deadline, and raises the alarm when the grace ends; the receipts are numbered without a gap.
    /// </summary>
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task NotificationsOvertakingEachOtherInOneBatch_LeaveTheLinkAsOneAtATimeWould(string provider)
    {
        // A schema of its own on PostgreSQL: the class's is shared with tests that count every US → RU row.
        var us = await _world.StartAsync("US");
        var ru = await _world.StartAsync("RU", provider == "postgres" ? await OwnSchemaAsync() : null);
        for (var i = 0; i < 7; i++)
            await us.NotifyAsync("RU", Duration.FromHours(3));
        await using var usDb = us.NewDb();
        var entries = await usDb.Outbox.Where(o => o.Recipient == "RU").OrderBy(o => o.Id).ToListAsync();
        // #1 first, alone; then #3, #2, #7, #6, #5 together (#4 never comes).
        await _world.DeliverAsync(us, ru, e => e.MessageId == entries[0].MessageId);
        var committer = ru.Services.GetRequiredService<GroupCommitter>();
        var batchesBefore = committer.Batches;
        Task<InboxResult>[] processing;
        await using (var busy = await BusyAsync(committer))
        {
            processing = [.. new[] { 2, 1, 6, 5, 4 }.Select(i => entries[i]).Select(e => ru.Inbox.ProcessAsync(
                new InboundDelivery(e.Body, "US", e.RoutingKey, e.MessageId.ToString("D"), e.Kind, AmqpPublisher.ContentType), CancellationToken.None))];
            await Eventually(() => committer.Pending == processing.Length + 1);
        }
        Assert.All(await Task.WhenAll(processing), r => Assert.Equal(InboxDisposition.Accepted, r.Disposition));
        Assert.True(committer.Batches - batchesBefore <= 2, $"{committer.Batches - batchesBefore} transactions");

        await using var db = ru.NewDb();
        var link = await db.InboundSequences.SingleAsync(s => s.Sender == "US" && s.Recipient == "RU");
        Assert.Equal(7, link.HighestSeen);
        Assert.Equal("4", link.Missing);
        // (Which gaps opened on the way depends on the order the batch took them in: #3 before #2 opens one #2 fills, #7
        // before #5 and #6 opens 4-6; whatever it was, the only one left open covers #4.)
        var pending = Assert.Single(await ru.DeadlinesAsync(DeadlineKind.MissingNotification), d => d.State == DeadlineState.Pending);
        Assert.InRange(4L, pending.SequenceFrom!.Value, pending.SequenceTo!.Value);
        Assert.Equal(6, await db.SequenceCounters.Where(c => c.Sender == "RU" && c.Recipient == "US" && c.Stream == SequenceAllocator.ReceiptStream).SumAsync(c => c.Last));
        Assert.Equal(6, await db.Inbox.CountAsync(m => m.Sender == "US" && m.ReceiptJws != null));

        _world.Advance(Duration.FromMinutes(1));
        Assert.Equal(1, await ru.FireDueAsync());
        Assert.Equal("4", Assert.Single(await ru.AlarmsAsync(Domain.Alarms.AlarmKind.MissingNotification)).Sequences);
        var audit = await AuditVerifier.VerifyAsync(db);
        Assert.True(audit.Intact, audit.FirstBreak?.ToString());
    }

    /// <summary>
    /// Work a step left to its batch's end that cannot be done fails the end for the whole batch: each step then runs again
    /// alone, so that only the step whose own work fails gets the exception, and the others commit, audit chain unbroken.
    /// </summary>
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AFailingBatchEnd_RunsEachStepAgainAlone_AndOnlyTheStepWhoseWorkFailsFails(string provider)
    {
        var ru = await _world.StartAsync("RU", provider == "postgres" ? await OwnSchemaAsync() : null);
        var committer = ru.Services.GetRequiredService<GroupCommitter>();
        var at = _world.Clock.GetCurrentInstant();
        var routingKey = $"US.RU.{Guid.NewGuid():N}";
        var finisher = new OutboxRowsAtTheEnd(routingKey, at);

        Task<Guid> Write(bool badEnd) => committer.RunAsync(async (db, ct) =>
        {
            var id = Guid.NewGuid();
            AuditChain.Append(db, at, "test-step", new AuditSubject(MessageId: id), new System.Text.Json.Nodes.JsonObject { ["routingKey"] = routingKey });
            await db.SaveChangesAsync(ct);
            await db.LeaveToBatchEndAsync(finisher, (id, badEnd), ct);
            return id;
        }, CancellationToken.None);

        Task<Guid>[] steps;
        await using (var busy = await BusyAsync(committer))
        {
            steps = [Write(false), Write(false), Write(true), Write(false)];
            await Eventually(() => committer.Pending == steps.Length + 1);
        }
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => steps[2]);
        Assert.Equal("this step's end cannot be done", failure.Message);
        var kept = await Task.WhenAll(steps[0], steps[1], steps[3]);
        // The end once for the four, then once for each step alone (the first end's writes went with its batch).
        Assert.Equal([4, 1, 1, 1, 1], finisher.Calls.Select(c => c.Count));

        await using var db = ru.NewDb();
        Assert.Equal(kept.Order(), (await db.Outbox.Where(o => o.RoutingKey == routingKey).Select(o => o.MessageId).ToListAsync()).Order());
        var audited = await db.Set<AuditEntry>().Where(e => e.Type == "test-step" && e.DetailsJson.Contains(routingKey)).ToListAsync();
        Assert.Equal(kept.Order(), audited.Select(e => e.MessageId!.Value).Order());
        var chain = await AuditVerifier.VerifyAsync(db);
        Assert.True(chain.Intact, chain.FirstBreak?.ToString());
    }

    /// <summary>A PostgreSQL schema for one test, dropped after the test's centres have stopped.</summary>
    private async Task<StorageOptions> OwnSchemaAsync()
    {
        var schema = new PostgresSchemaFixture();
        _ownSchemas.Add(schema);
        await schema.InitializeAsync();
        return schema.Store;
    }

    /// <summary>Writes an outbox row per item at the batch's end; throws for an item marked bad.</summary>
    private sealed class OutboxRowsAtTheEnd(string routingKey, Instant at) : IBatchFinisher
    {
        public System.Collections.Concurrent.ConcurrentQueue<IReadOnlyList<object>> Calls { get; } = new();

        public Task FinishAsync(NodeDbContext db, IReadOnlyList<object> items, IReadOnlyList<IReadOnlyList<object?[]>> rows, CancellationToken ct)
        {
            Calls.Enqueue(items);
            foreach ((Guid Id, bool Bad) item in items)
            {
                if (item.Bad)
                    throw new InvalidOperationException("this step's end cannot be done");
                db.Outbox.Add(new OutboxEntry { MessageId = item.Id, Kind = "receipt", Recipient = "US", RoutingKey = routingKey, Body = [1], CreatedAt = at });
            }
            return Task.CompletedTask;
        }
    }

    /// <summary>
    /// The same message id submitted twice at once (a client's retry racing its first try): both pass the look for a
    /// resubmission before either is stored and meet in one batch, where the primary key refuses the second. It is answered
    /// as the resubmission it is (no 5xx, no second message), the first stored once with its deliveries.
    /// </summary>
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task TheSameIdSubmittedTwiceAtOnce_IsStoredOnce_AndTheLaterIsAnsweredAsAResubmission(string provider)
    {
        var us = await _world.StartAsync("US", provider == "postgres" ? postgres.Store : null);
        var committer = us.Services.GetRequiredService<GroupCommitter>();
        var draft = Drafts.PreNotification("p5-demo", "RU", _world.Clock.GetCurrentInstant() + Duration.FromHours(3), Duration.FromHours(2));
        var id = Guid.NewGuid();
        draft["messageId"] = id.ToString("D");

        Task<SubmissionResult>[] submissions;
        await using (var busy = await BusyAsync(committer))
        {
            submissions = [.. Enumerable.Range(0, 2).Select(_ => Task.Run(() => us.SubmitAsync((System.Text.Json.Nodes.JsonObject)draft.DeepClone(), "prenotification")))];
            await Eventually(() => committer.Pending == submissions.Length + 1);
        }
        var results = await Task.WhenAll(submissions);

        Assert.Equal([SubmissionStatus.Accepted, SubmissionStatus.AlreadyAccepted], results.Select(r => r.Status).Order());
        Assert.All(results, r => Assert.Equal(id, r.MessageId));
        Assert.Equal(results[0].Recipients.Select(r => (r.Centre.Value, r.Sequence)), results[1].Recipients.Select(r => (r.Centre.Value, r.Sequence)));
        await using var db = us.NewDb();
        Assert.Equal(1, await db.OutboundMessages.CountAsync(m => m.MessageId == id));
        Assert.Equal(1, await db.Outbox.CountAsync(o => o.MessageId == id));
    }

    /// <summary>
    /// Occupies the committer with a step that waits until disposed, so that what is handed in meanwhile queues for the
    /// next batch (on SQLite and PostgreSQL alike: holding the write gate would not, since PostgreSQL's gate never waits).
    /// </summary>
    private static async Task<IAsyncDisposable> BusyAsync(GroupCommitter committer)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var busy = committer.RunAsync(async (_, _) => { started.SetResult(); await release.Task; return 0; }, CancellationToken.None);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return new Release(release, busy);
    }

    private sealed class Release(TaskCompletionSource release, Task busy) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            release.SetResult();
            await busy;
        }
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException("The condition did not hold within 60 s.");
            await Task.Delay(5);
        }
    }

    /// <summary>Polls a condition of the code under test (bounded, never a sleep standing in for it).</summary>
    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException("The deliveries did not all reach the committer's queue within 60 s.");
            await Task.Delay(5);
        }
    }
}
