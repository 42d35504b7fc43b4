using System.Data.Common;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace LaunchNotify.Storage;

/// <summary>
/// Writes the rows a group-commit step adds on the hot path (outbound messages and their deliveries, outbox entries,
/// deadlines) at the start of its save, as statements built once per model (<see cref="ModelCommands"/>): one multi-row
/// insert per table, where EF Core's save made a modification command, generated its SQL and ran it for each row. The
/// step adds them to its unit of work as before, so what reads the tracked entities before the save (the outbox
/// hand-off's claim, the deadline signal, a deadline found by its key) sees them as it did; once written they leave
/// the tracking, their generated keys set, and should the save fail they are tracked again as added (<see cref="TrackAgain"/>).
/// </summary>
/// <remarks>
/// Only on a context that opts in (<see cref="NodeDbContext.WritesNewRowsItself"/>, the group committer's writer) and
/// inside its transaction: these rows are written before everything EF Core writes in the same save, which is right when
/// the save only adds them (a step never deletes or re-keys such a row), and the entities leave the tracking as a step's
/// do anyway when it ends. A delivery is written this way only with its new message (a delivery added to a message
/// tracked as stored is left to EF Core, which would otherwise find it again through the message's collection).
/// </remarks>
internal sealed class NewRows
{
    /// <summary>Rows per statement: the statements (one per count up to this) are built once per model.</summary>
    private const int RowsPerCommand = 16;

    private List<EntityEntry>? _messages, _deliveries, _outbox, _deadlines;

    /// <summary>The rows of these types <paramref name="db"/> adds (null: none to write here).</summary>
    public static NewRows? Find(NodeDbContext db)
    {
        var rows = new NewRows();
        // One pass over what the unit of work tracks, without change detection (the save runs it right after).
        db.ChangeTracker.EachWithoutDetecting(rows.Take);
        if (rows._messages is null && rows._outbox is null && rows._deadlines is null)
            return null;
        // A delivery goes with its new message; one added to a stored message is EF Core's to write.
        rows._deliveries?.RemoveAll(d => rows._messages?.Exists(m => ((OutboundMessage)m.Entity).MessageId == ((Delivery)d.Entity).MessageId) != true);
        return rows;
    }

    private void Take(EntityEntry entry)
    {
        if (entry.State != EntityState.Added)
            return;
        switch (entry.Entity)
        {
            case OutboundMessage:
                (_messages ??= []).Add(entry);
                break;
            case Delivery:
                (_deliveries ??= []).Add(entry);
                break;
            case OutboxEntry:
                (_outbox ??= []).Add(entry);
                break;
            case Deadline:
                (_deadlines ??= []).Add(entry);
                break;
        }
    }

    /// <summary>Writes the rows and stops tracking them; returns them, in case the save fails (<see cref="TrackAgain"/>).</summary>
    public async Task<List<object>> WriteAsync(NodeDbContext db, CancellationToken ct)
    {
        var written = new List<object>();
        try
        {
            // A message before its deliveries (their foreign key).
            await InsertAsync<OutboundMessage>(db, _messages, ct);
            await InsertAsync<Delivery>(db, _deliveries, ct);
            var outboxIds = await InsertReturningKeysAsync<OutboxEntry>(db, _outbox, ct);
            var deadlineIds = await InsertReturningKeysAsync<Deadline>(db, _deadlines, ct);
            // EF Core clears the navigations that point at an entity it stops tracking from those it still tracks: the
            // message goes first (its deliveries' Message is cleared, its list of them stays), then each delivery is given
            // its message back, as a save leaves them.
            StopTracking(_messages, written);
            StopTracking(_deliveries, written);
            StopTracking(_outbox, written);
            StopTracking(_deadlines, written);
            foreach (var delivery in _deliveries ?? [])
                ((Delivery)delivery.Entity).Message = (OutboundMessage)_messages!.Find(m => ((OutboundMessage)m.Entity).MessageId == ((Delivery)delivery.Entity).MessageId)!.Entity;
            for (var i = 0; i < outboxIds.Count; i++)
                ((OutboxEntry)_outbox![i].Entity).Id = outboxIds[i];
            for (var i = 0; i < deadlineIds.Count; i++)
                ((Deadline)_deadlines![i].Entity).Id = deadlineIds[i];
            return written;
        }
        catch (DbException e)
        {
            // As EF Core reports a failed save (callers catch DbUpdateException); the store's exception stays inside.
            throw new DbUpdateException($"Writing the new rows of this save failed: {e.Message}", e);
        }
    }

    /// <summary>The save failed: the rows written for it are the unit of work's again, added, their generated keys cleared.</summary>
    public static void TrackAgain(NodeDbContext db, List<object> written)
    {
        foreach (var entity in written)
        {
            switch (entity)
            {
                case OutboxEntry entry:
                    entry.Id = 0;
                    break;
                case Deadline deadline:
                    deadline.Id = 0;
                    break;
            }
            db.Add(entity);
        }
    }

    private static void StopTracking(List<EntityEntry>? entries, List<object> written)
    {
        if (entries is null)
            return;
        foreach (var entry in entries)
        {
            written.Add(entry.Entity);
            entry.State = EntityState.Detached;
        }
    }

    private static async Task InsertAsync<T>(NodeDbContext db, List<EntityEntry>? rows, CancellationToken ct) where T : class
    {
        if (rows is null or [])
            return;
        var entity = db.Model.FindEntityType(typeof(T))!;
        var columns = ModelCommands.InsertedProperties(entity);
        for (var start = 0; start < rows.Count; start += RowsPerCommand)
        {
            var count = Math.Min(RowsPerCommand, rows.Count - start);
            var command = ModelCommands.Get(db, InsertKey<T>.For(count), context => ModelCommands.BuildInsert(context, entity, columns, count));
            await ModelCommands.ExecuteAsync(db, command, Values(columns, rows, start, count), ct);
        }
    }

    /// <summary>Inserts rows whose key the store generates; returns the keys in the order of <paramref name="rows"/>.</summary>
    private static async Task<List<long>> InsertReturningKeysAsync<T>(NodeDbContext db, List<EntityEntry>? rows, CancellationToken ct) where T : class
    {
        if (rows is null or [])
            return [];
        var entity = db.Model.FindEntityType(typeof(T))!;
        var columns = ModelCommands.InsertedProperties(entity);
        var key = entity.FindPrimaryKey()!.Properties.Single();
        var keys = new List<long>(rows.Count);
        for (var start = 0; start < rows.Count; start += RowsPerCommand)
        {
            var count = Math.Min(RowsPerCommand, rows.Count - start);
            var command = ModelCommands.Reader(db, InsertKey<T>.For(count), context => ModelCommands.BuildInsertEach(context, entity, columns, count, key));
            await using var reader = await command.ExecuteReaderAsync(ModelCommands.Parameters(db, Values(columns, rows, start, count)), ct);
            for (var row = 0; row < count; row++)
            {
                if ((row > 0 && !await reader.DbDataReader.NextResultAsync(ct)) || !await reader.ReadAsync(ct))
                    throw new InvalidOperationException($"The insert into {entity.GetTableName()} returned no key for its row {row}.");
                keys.Add(reader.DbDataReader.GetInt64(0));
            }
        }
        return keys;
    }

    private static Dictionary<string, object?> Values(IReadOnlyList<IProperty> columns, List<EntityEntry> rows, int start, int count)
    {
        var values = new Dictionary<string, object?>(count * columns.Count);
        for (var row = 0; row < count; row++)
            ModelCommands.AddRow(values, columns, row, rows[start + row].Entity);
        return values;
    }

    // The cache keys of a type's inserts, one per row count, made once rather than at every save.
    private static class InsertKey<T>
    {
        private static readonly string[] Keys = [.. Enumerable.Range(0, RowsPerCommand + 1).Select(n => $"new-rows:{typeof(T).Name}:{n}")];

        public static string For(int rows) => Keys[rows];
    }
}
