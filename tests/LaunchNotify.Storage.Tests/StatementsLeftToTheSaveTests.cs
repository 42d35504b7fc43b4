using System.Text.Json.Nodes;
using LaunchNotify.Storage.Audit;
using LaunchNotify.Storage.Entities;
using LaunchNotify.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace LaunchNotify.Storage.Tests;

/// <summary>
/// A statement a group-commit step leaves to its save (<see cref="ModelCommands.ExecuteWithSaveAsync"/>) is written exactly
/// as if it had run at once: with the save (on PostgreSQL in the save's first command, with the step's new rows and the
/// audit chain's reservation), at the step's end when the step does not save, and not at all when the step fails; and the
/// audit chain sealed after a reservation made by that first command stays one unbroken chain.
/// </summary>
public sealed class StatementsLeftToTheSaveTests(PostgresSchemaFixture postgres) : BothStoresTests(postgres, "deferred")
{
    private readonly Instant _now = Instant.FromUtc(2026, 12, 7, 8, 0);

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AStatementLeftToTheSave_IsWrittenWithIt_AtTheStepsEndWithoutOne_AndNotWhenTheStepFails(string provider)
    {
        var store = Store(provider);
        var agreement = $"test-{Guid.NewGuid():N}";
        await using var committer = Committer(store);
        await committer.RunAsync(async (db, ct) =>
        {
            db.SequenceCounters.Add(new SequenceCounter { Sender = "US", Recipient = "RU", AgreementId = agreement, Stream = "test", Last = 0 });
            return await db.SaveChangesAsync(ct);
        }, CancellationToken.None);

        // Steps handed in together share batches: each saves new rows and an audit entry after bumping the counter (twice
        // in one of them), one bumps it and does not save, one bumps it and fails.
        var saving = Enumerable.Range(0, 6).Select(i => committer.RunAsync(async (db, ct) =>
        {
            await BumpAsync(db, agreement, ct);
            if (i == 0)
                await BumpAsync(db, agreement, ct);
            db.Outbox.Add(Entry(agreement, i));
            AuditChain.Append(db, _now, "test-deferred", new AuditSubject(Centre: "US", AgreementId: agreement), new JsonObject { ["step"] = i });
            return await db.SaveChangesAsync(ct);
        }, CancellationToken.None)).ToList();
        var notSaving = committer.RunAsync(async (db, ct) =>
        {
            await BumpAsync(db, agreement, ct);
            return 0;
        }, CancellationToken.None);
        var failing = committer.RunAsync<int>(async (db, ct) =>
        {
            await BumpAsync(db, agreement, ct);
            db.Outbox.Add(Entry(agreement, 99));
            throw new InvalidOperationException("this step fails after leaving a statement to its save");
        }, CancellationToken.None);
        await Task.WhenAll(saving);
        await notSaving;
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing);

        await using var read = new NodeDbContext(store.ToDbContextOptions());
        // Six saving steps (one bumping twice) and the one that did not save: 8; the failed step's bump is gone with its rows.
        Assert.Equal(8, await read.SequenceCounters.Where(c => c.AgreementId == agreement).Select(c => c.Last).SingleAsync());
        Assert.Equal(6, await read.Outbox.CountAsync(o => o.RoutingKey.StartsWith(agreement)));
        Assert.Equal(6, await read.Set<AuditEntry>().CountAsync(e => e.AgreementId == agreement));

        // One chain: numbers without a gap, each entry linked to the one before it, the head at the last.
        var chain = await read.Set<AuditEntry>().AsNoTracking().OrderBy(e => e.Seq).ToListAsync();
        var head = await read.Set<AuditChainHead>().AsNoTracking().SingleAsync();
        Assert.Equal(Enumerable.Range(1, chain.Count).Select(n => (long)n), chain.Select(e => e.Seq));
        Assert.Equal(AuditChain.GenesisHash, chain[0].PrevHash);
        for (var i = 1; i < chain.Count; i++)
            Assert.Equal(chain[i - 1].Hash, chain[i].PrevHash);
        Assert.Equal((chain[^1].Seq, chain[^1].Hash), (head.Seq, head.Hash));
    }

    private static async Task BumpAsync(NodeDbContext db, string agreement, CancellationToken ct)
    {
        var bump = ModelCommands.Statement(db, "test-bump",
            model => [("agreement", model.FindEntityType(typeof(SequenceCounter))!.FindProperty(nameof(SequenceCounter.AgreementId))!)],
            p => $"""UPDATE "SequenceCounters" SET "Last" = "Last" + 1 WHERE "AgreementId" = {p("agreement")}""");
        await ModelCommands.ExecuteWithSaveAsync(db, "test-bump", bump, new Dictionary<string, object?> { ["agreement"] = agreement }, ct);
    }

    private OutboxEntry Entry(string agreement, int i) => new()
    {
        MessageId = Guid.NewGuid(),
        Kind = "prenotification",
        Recipient = "RU",
        RoutingKey = $"{agreement}.{i}",
        Body = [1, 2, 3],
        CreatedAt = _now,
    };
}
