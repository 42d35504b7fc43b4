using LaunchNotify.Storage.Entities;
using LaunchNotify.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace LaunchNotify.Storage.Tests;

/// <summary>
/// The rows a group-commit step adds (an outbound message and its deliveries, outbox entries, deadlines) are written by
/// the store's own statements instead of EF Core's per-row save: stored whole, each entity given the key generated for
/// its own row, and held again by the unit of work when its save fails, as EF Core would hold them.
/// </summary>
public sealed class NewRowsTests(PostgresSchemaFixture postgres) : BothStoresTests(postgres, "newrows")
{
    private readonly Instant _now = Instant.FromUtc(2026, 12, 7, 5, 0);

    [Theory]
    [InlineData("sqlite", false)]
    [InlineData("postgres", false)]
    [InlineData("sqlite", true)]
    [InlineData("postgres", true)]
    public async Task AStepsNewRows_AreStoredWhole_EachEntityWithTheKeyOfItsOwnRow(string provider, bool addedUntracked)
    {
        var store = Store(provider);
        // More rows of each table than one statement takes (16), nullable columns both set and not.
        var message = Message(recipients: 20);
        var outbox = message.Deliveries.Select((d, i) => Entry(message.MessageId, d.Recipient, claimed: i % 2 == 0)).ToList();
        var deadlines = message.Deliveries.Select((d, i) => Deadline(message.MessageId, d.Recipient, i)).ToList();
        await using (var committer = Committer(store))
            await committer.RunAsync(async (db, ct) =>
            {
                if (addedUntracked)
                {
                    // NodeDbContext.AddNew: outside EF Core's tracking, seen by those who look at what the step adds.
                    db.AddNew(message);
                    outbox.ForEach(db.AddNew);
                    deadlines.ForEach(db.AddNew);
                    Assert.Empty(db.ChangeTracker.Entries());
                    Assert.Equal(outbox, db.AddedRows<OutboxEntry>());
                    Assert.Equal(deadlines, db.UntrackedAdded<Deadline>());
                }
                else
                {
                    db.OutboundMessages.Add(message);
                    db.Outbox.AddRange(outbox);
                    db.Deadlines.AddRange(deadlines);
                }
                var saved = await db.SaveChangesAsync(ct);
                // Written: no longer the step's to write.
                Assert.Empty(db.AddedRows<OutboxEntry>());
                Assert.Empty(db.AddedRows<Deadline>());
                return saved;
            }, CancellationToken.None);

        // The entities as EF Core's save would leave them: linked to one another.
        Assert.Equal(20, message.Deliveries.Count);
        Assert.All(message.Deliveries, d => Assert.Same(message, d.Message));

        await using var read = new NodeDbContext(store.ToDbContextOptions());
        var stored = await read.OutboundMessages.AsNoTracking().Include(m => m.Deliveries).SingleAsync(m => m.MessageId == message.MessageId);
        Assert.Equal((message.Kind, message.AgreementId, message.Sender, message.IssuedAt, message.SubmittedAt, message.PayloadJson, message.WindowStart, message.WindowEnd, message.RelatesTo, message.SubmittedByName),
            (stored.Kind, stored.AgreementId, stored.Sender, stored.IssuedAt, stored.SubmittedAt, stored.PayloadJson, stored.WindowStart, stored.WindowEnd, stored.RelatesTo, stored.SubmittedByName));
        Assert.Equal(message.Jws, stored.Jws);
        Assert.Equal(message.Deliveries.Select(d => (d.Recipient, d.Sequence, d.Status)).Order(), stored.Deliveries.Select(d => (d.Recipient, d.Sequence, d.Status)).Order());

        Assert.Equal(outbox.Count, outbox.Select(e => e.Id).Distinct().Count());
        foreach (var entry in outbox)
        {
            var row = await read.Outbox.AsNoTracking().SingleAsync(o => o.Id == entry.Id);
            Assert.Equal((entry.MessageId, entry.Kind, entry.Recipient, entry.RoutingKey, entry.CreatedAt, entry.ClaimToken, entry.ClaimedUntil, entry.NextAttemptAt, entry.TraceParent, entry.PublishedAt, entry.Attempts),
                (row.MessageId, row.Kind, row.Recipient, row.RoutingKey, row.CreatedAt, row.ClaimToken, row.ClaimedUntil, row.NextAttemptAt, row.TraceParent, row.PublishedAt, row.Attempts));
            Assert.Equal(entry.Body, row.Body);
        }
        Assert.Equal(deadlines.Count, deadlines.Select(d => d.Id).Distinct().Count());
        foreach (var deadline in deadlines)
        {
            var row = await read.Deadlines.AsNoTracking().SingleAsync(d => d.Id == deadline.Id);
            Assert.Equal((deadline.Key, deadline.Kind, deadline.DueAt, deadline.State, deadline.Centre, deadline.AgreementId, deadline.MessageId, deadline.SequenceFrom, deadline.SequenceTo, deadline.CreatedAt, deadline.SettledAt),
                (row.Key, row.Kind, row.DueAt, row.State, row.Centre, row.AgreementId, row.MessageId, row.SequenceFrom, row.SequenceTo, row.CreatedAt, row.SettledAt));
        }
    }

    [Theory]
    [InlineData("sqlite", false)]
    [InlineData("postgres", false)]
    [InlineData("sqlite", true)]
    [InlineData("postgres", true)]
    public async Task ASaveThatFailsAfterItsNewRowsWereWritten_HoldsThemAgainAsAdded_AndNoneIsStored(string provider, bool addedUntracked)
    {
        var store = Store(provider);
        var agreement = $"test-{Guid.NewGuid():N}";
        SequenceCounter Counter() => new() { Sender = "US", Recipient = "RU", AgreementId = agreement, Stream = SequenceAllocator.NotificationStream, Last = 1 };
        var message = Message(recipients: 2);
        var entry = Entry(message.MessageId, "RU", claimed: true);
        var deadline = Deadline(message.MessageId, "RU", 1);
        await using var committer = Committer(store);
        await committer.RunAsync(async (db, ct) =>
        {
            db.SequenceCounters.Add(Counter());
            return await db.SaveChangesAsync(ct);
        }, CancellationToken.None);

        var held = new List<(EntityState State, long Id)>();
        var failing = committer.RunAsync(async (db, ct) =>
        {
            if (addedUntracked)
            {
                db.AddNew(message);
                db.AddNew(entry);
                db.AddNew(deadline);
            }
            else
            {
                db.OutboundMessages.Add(message);
                db.Outbox.Add(entry);
                db.Deadlines.Add(deadline);
            }
            // EF Core's own insert, after the new rows were written: the counter's key is taken, so the save fails.
            db.SequenceCounters.Add(Counter());
            try
            {
                return await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                held.AddRange([(db.Entry(message).State, 0L), (db.Entry(message.Deliveries[0]).State, 0L), (db.Entry(entry).State, entry.Id), (db.Entry(deadline).State, deadline.Id)]);
                throw;
            }
        }, CancellationToken.None);

        await Assert.ThrowsAsync<DbUpdateException>(() => failing);
        Assert.Equal([(EntityState.Added, 0L), (EntityState.Added, 0L), (EntityState.Added, 0L), (EntityState.Added, 0L)], held);
        await using var read = new NodeDbContext(store.ToDbContextOptions());
        Assert.False(await read.OutboundMessages.AnyAsync(m => m.MessageId == message.MessageId));
        Assert.False(await read.Outbox.AnyAsync(o => o.MessageId == message.MessageId));
        Assert.False(await read.Deadlines.AnyAsync(d => d.MessageId == message.MessageId));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task ADeliveryPutInANewMessagesListAfterTheMessageWasAdded_IsStoredToo(string provider)
    {
        var store = Store(provider);
        var message = Message(recipients: 2);
        var late = new Delivery { Recipient = "ZZ", Sequence = 3 };
        await using (var committer = Committer(store))
            await committer.RunAsync(async (db, ct) =>
            {
                db.OutboundMessages.Add(message);
                // Not tracked until change detection: the save must still write it.
                message.Deliveries.Add(late);
                return await db.SaveChangesAsync(ct);
            }, CancellationToken.None);

        await using var read = new NodeDbContext(store.ToDbContextOptions());
        var stored = await read.Deliveries.AsNoTracking().Where(d => d.MessageId == message.MessageId).Select(d => d.Recipient).ToListAsync();
        Assert.Equal(["AA", "AB", "ZZ"], stored.Order());
    }

    private OutboundMessage Message(int recipients) => new()
    {
        MessageId = Guid.NewGuid(),
        Kind = "prenotification",
        AgreementId = "us-ru-bmlna-1988",
        Sender = "US",
        IssuedAt = _now,
        SubmittedAt = _now,
        SubmittedByName = "Officer",
        Jws = [1, 2, 3, 4],
        PayloadJson = "{}",
        WindowStart = _now + Duration.FromHours(30),
        WindowEnd = _now + Duration.FromHours(31),
        Deliveries = [.. Enumerable.Range(0, recipients).Select(i => new Delivery { Recipient = $"{(char)('A' + i / 26)}{(char)('A' + i % 26)}", Sequence = i + 1 })],
    };

    private OutboxEntry Entry(Guid messageId, string recipient, bool claimed) => new()
    {
        MessageId = messageId,
        Kind = "prenotification",
        Recipient = recipient,
        RoutingKey = $"{recipient}.US.prenotification",
        Body = [.. messageId.ToByteArray(), .. System.Text.Encoding.ASCII.GetBytes(recipient)],
        CreatedAt = _now,
        ClaimToken = claimed ? Guid.NewGuid() : null,
        ClaimedUntil = claimed ? _now + Duration.FromMinutes(1) : null,
        NextAttemptAt = claimed ? null : _now + Duration.FromSeconds(5),
        TraceParent = claimed ? "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" : null,
    };

    private Deadline Deadline(Guid messageId, string recipient, int i) => new()
    {
        Kind = DeadlineKind.ReceiptOverdue,
        Key = $"RECEIPT:{messageId}>{recipient}",
        DueAt = _now + Duration.FromMinutes(10 + i),
        State = DeadlineState.Pending,
        Centre = recipient,
        AgreementId = "us-ru-bmlna-1988",
        MessageId = messageId,
        SequenceFrom = i + 1,
        SequenceTo = i + 1,
        CreatedAt = _now,
    };
}
