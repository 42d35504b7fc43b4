using System.Data.Common;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace LaunchNotify.Storage;

/// <summary>
/// Writes the rows a group-commit step adds on the hot path (outbound messages and their deliveries, outbox entries,
/// deadlines) at the start of its save, as statements built once per model (<see cref="ModelCommands"/>), where EF Core's
/// save made a modification command, generated its SQL and ran it for each row: on PostgreSQL all in one command, on
/// SQLite a multi-row insert per table and an insert per row whose key the store generates (<see cref="WriteEachAsync"/>). The
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
/// They go before the audit chain's reservation, as the step's inbox claim and sequence numbers already do: new rows whose
/// keys the step's earlier claims make its own (a new message's id, a key naming a message it claimed).
/// </remarks>
internal sealed class NewRows
{
    /// <summary>Rows per multi-row insert (or per run of single-row inserts returning keys).</summary>
    private const int RowsPerPart = 16;

    // Rows EF Core tracks as added, which leave the tracking once written.
    private List<EntityEntry>? _messages, _deliveries, _outbox, _deadlines;

    // Rows the step added untracked (NodeDbContext.AddNew), in the order added: messages (with their deliveries), outbox
    // entries and deadlines.
    private List<object>? _untracked;

    /// <summary>The rows of these types <paramref name="db"/> adds (null: none to write here).</summary>
    public static NewRows? Find(NodeDbContext db)
    {
        var rows = new NewRows { _untracked = db.UntrackedNewRows };
        // One pass over what the unit of work tracks, without change detection (the save runs it right after).
        db.ChangeTracker.EachWithoutDetecting(rows.Take);
        if (rows._messages is null && rows._outbox is null && rows._deadlines is null && rows._untracked is null)
            return null;
        // A delivery goes with its new message; one added to a stored message is EF Core's to write.
        rows._deliveries?.RemoveAll(d => rows._messages?.Exists(m => ((OutboundMessage)m.Entity).MessageId == ((Delivery)d.Entity).MessageId) != true);
        // Every delivery in a new message's list must be among them: one put in the list after the message was added is
        // not tracked until change detection, and leaving the message's tracking here would leave it unwritten. Such a
        // save is EF Core's whole (its change detection finds it), the untracked rows written first.
        if (rows._messages is { } messages)
        {
            var written = rows._deliveries?.Select(d => d.Entity).ToHashSet(ReferenceEqualityComparer.Instance) ?? [];
            if (messages.Exists(m => ((OutboundMessage)m.Entity).Deliveries.Any(d => !written.Contains(d))))
            {
                if (rows._untracked is null)
                    return null;
                rows._messages = rows._deliveries = rows._outbox = rows._deadlines = null;
            }
        }
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

    /// <summary>Each table's rows, tracked then untracked, a message before its deliveries.</summary>
    private (List<object> Messages, List<object> Deliveries, List<object> Outbox, List<object> Deadlines) Tables()
    {
        static List<object> Entities(List<EntityEntry>? entries) => entries?.Select(e => e.Entity).ToList() ?? [];
        var (messages, deliveries, outbox, deadlines) = (Entities(_messages), Entities(_deliveries), Entities(_outbox), Entities(_deadlines));
        foreach (var row in _untracked ?? [])
        {
            switch (row)
            {
                case OutboundMessage message:
                    messages.Add(message);
                    deliveries.AddRange(message.Deliveries);
                    break;
                case OutboxEntry entry:
                    outbox.Add(entry);
                    break;
                case Deadline deadline:
                    deadlines.Add(deadline);
                    break;
            }
        }
        return (messages, deliveries, outbox, deadlines);
    }

    /// <summary>
    /// Writes <paramref name="rows"/> (if any) and stops tracking them; returns them, in case the save fails
    /// (<see cref="TrackAgain"/>). On PostgreSQL the statements a step left to its save (<paramref name="deferred"/>) go in
    /// the same command.
    /// </summary>
    public static async Task<List<object>> WriteAsync(NodeDbContext db, NewRows? rows, List<NodeDbContext.DeferredStatement>? deferred, CancellationToken ct)
    {
        if (rows is not null)
            return await rows.WriteAsync(db, deferred, ct);
        try
        {
            await WriteTogetherAsync(db, [], deferred, ct);
        }
        catch (DbException e)
        {
            throw new DbUpdateException($"Writing the statements left to this save failed: {e.Message}", e);
        }
        return [];
    }

    private async Task<List<object>> WriteAsync(NodeDbContext db, List<NodeDbContext.DeferredStatement>? deferred, CancellationToken ct)
    {
        // A message before its deliveries (their foreign key), then the rows whose keys come back, in this order.
        var (messages, deliveries, outbox, deadlines) = Tables();
        var parts = new List<Part>();
        Split(parts, typeof(OutboundMessage), messages);
        Split(parts, typeof(Delivery), deliveries);
        Split(parts, typeof(OutboxEntry), outbox);
        Split(parts, typeof(Deadline), deadlines);
        List<long> keys;
        try
        {
            if (!db.IsPostgres)
            {
                // Nothing is left to a save on SQLite (NodeDbContext.DefersWrites); should something be, it goes first, as it would have.
                foreach (var statement in deferred ?? [])
                    await ModelCommands.ExecuteAsync(db, statement.Command, statement.Values, ct);
                keys = await WriteEachAsync(db, parts, ct);
            }
            else
                keys = await WriteTogetherAsync(db, parts, deferred, ct);
        }
        catch (DbException e)
        {
            // As EF Core reports a failed save (callers catch DbUpdateException); the store's exception stays inside.
            throw new DbUpdateException($"Writing the new rows of this save failed: {e.Message}", e);
        }
        var written = new List<object>();
        // EF Core clears the navigations that point at an entity it stops tracking from those it still tracks: the
        // message goes first (its deliveries' Message is cleared, its list of them stays), then each delivery is given
        // its message back, as a save leaves them.
        StopTracking(_messages, written);
        StopTracking(_deliveries, written);
        StopTracking(_outbox, written);
        StopTracking(_deadlines, written);
        foreach (var delivery in _deliveries ?? [])
            ((Delivery)delivery.Entity).Message = (OutboundMessage)_messages!.Find(m => ((OutboundMessage)m.Entity).MessageId == ((Delivery)delivery.Entity).MessageId)!.Entity;
        // The untracked ones were never the tracker's: written, they are no longer the step's to write (should the rest of
        // the save fail, TrackAgain gives them back to the unit of work, tracked).
        if (_untracked is not null)
        {
            db.ForgetUntrackedNewRows();
            written.AddRange(_untracked);
        }
        var key = 0;
        foreach (OutboxEntry entry in outbox)
            entry.Id = keys[key++];
        foreach (Deadline deadline in deadlines)
            deadline.Id = keys[key++];
        return written;
    }

    /// <summary>
    /// SQLite: one statement per command, since Microsoft.Data.Sqlite looks up each of a command's parameters for each of
    /// its statements (a command of many statements costs the square of its rows). A part without keys to return is one
    /// multi-row insert; a row whose key the store generates is an insert of its own, its key read as the command's scalar.
    /// </summary>
    private static async Task<List<long>> WriteEachAsync(NodeDbContext db, List<Part> parts, CancellationToken ct)
    {
        var keys = new List<long>();
        foreach (var part in parts)
        {
            if (!ReturnsKey(part.Type))
            {
                var insert = ModelCommands.Get(db, PartKeys.For(part.Type, part.Count), context => ModelCommands.BuildInserts(context, [Describe(context.Model, part.Type, part.Count)]));
                await ModelCommands.ExecuteAsync(db, insert, Values(db.Model, insert, [part]), ct);
                continue;
            }
            var row = ModelCommands.Get(db, PartKeys.For(part.Type, 1), context => ModelCommands.BuildInserts(context, [Describe(context.Model, part.Type, 1)]));
            for (var i = part.Start; i < part.Start + part.Count; i++)
                keys.Add(Convert.ToInt64(await ModelCommands.ScalarAsync(db, row, Values(db.Model, row, [part with { Start = i, Count = 1 }]), ct)
                    ?? throw new InvalidOperationException($"The insert into {part.Type.Name} returned no key."), System.Globalization.CultureInfo.InvariantCulture));
        }
        return keys;
    }

    /// <summary>
    /// PostgreSQL: every part in one command, one round trip (Npgsql binds a command's parameters once, whatever the number
    /// of its statements); the keys come back one result per row, in order, read through a data reader. The same command
    /// carries the statements left to the save (<paramref name="deferred"/>, after the inserts: they return nothing), such
    /// as the audit entries a group-commit batch sealed at its end.
    /// </summary>
    private static async Task<List<long>> WriteTogetherAsync(NodeDbContext db, List<Part> parts, List<NodeDbContext.DeferredStatement>? deferred, CancellationToken ct)
    {
        // (The writer's saves leave their audit entries to the batch's end, NodeDbContext.BatchAudit: no reservation here.)
        var key = string.Join('|', parts.Select(p => PartKeys.For(p.Type, p.Count)).Concat(deferred?.Select(d => d.Key) ?? []));
        var command = ModelCommands.Reader(db, key, context => ModelCommands.Combine(context,
        [
            ModelCommands.BuildInserts(context, [.. parts.Select(p => Describe(context.Model, p.Type, p.Count))]),
            .. deferred?.Select(d => d.Command) ?? [],
        ]));
        var values = Values(db.Model, command, parts);
        foreach (var statement in deferred ?? [])
            foreach (var (name, value) in statement.Values)
                values.Add(name, value);
        var returned = parts.Where(p => ReturnsKey(p.Type)).Sum(p => p.Count);
        var keys = new List<long>(returned);
        await using var reader = await command.ExecuteReaderAsync(ModelCommands.Parameters(db, values), ct);
        for (var row = 0; row < returned; row++)
        {
            if ((row > 0 && !await reader.DbDataReader.NextResultAsync(ct)) || !await reader.ReadAsync(ct))
                throw new InvalidOperationException($"The insert of the new rows returned {row} keys of {returned}.");
            keys.Add(reader.DbDataReader.GetInt64(0));
        }
        return keys;
    }

    /// <summary>Some rows of one table: <see cref="Count"/> of <see cref="Rows"/> from <see cref="Start"/>.</summary>
    private readonly record struct Part(Type Type, List<object> Rows, int Start, int Count);

    /// <summary>A table's rows as parts of at most <see cref="RowsPerPart"/> (a command's text is built once per list of parts).</summary>
    private static void Split(List<Part> parts, Type type, List<object> rows)
    {
        for (var start = 0; start < rows.Count; start += RowsPerPart)
            parts.Add(new Part(type, rows, start, Math.Min(RowsPerPart, rows.Count - start)));
    }

    /// <summary>The values of <paramref name="parts"/>' rows, by the position of <paramref name="command"/>'s parameters (<see cref="ModelCommands.BuildInserts"/>).</summary>
    private static Dictionary<string, object?> Values(IModel model, IRelationalCommand command, IEnumerable<Part> parts)
    {
        var values = new Dictionary<string, object?>(command.Parameters.Count);
        var parameter = 0;
        foreach (var (type, rows, start, count) in parts)
        {
            var columns = ModelCommands.InsertedProperties(model.FindEntityType(type)!);
            for (var row = start; row < start + count; row++)
                for (var i = 0; i < columns.Count; i++)
                    values[command.Parameters[parameter++].InvariantName] = columns[i].GetGetter().GetClrValue(rows[row]);
        }
        return values;
    }

    // The store generates the keys of outbox entries and deadlines; each row's comes back.
    private static bool ReturnsKey(Type type) => type == typeof(OutboxEntry) || type == typeof(Deadline);

    private static ModelCommands.InsertPart Describe(IModel model, Type type, int rows)
    {
        var entity = model.FindEntityType(type)!;
        return new ModelCommands.InsertPart(entity, ModelCommands.InsertedProperties(entity), rows, ReturnsKey(type) ? entity.FindPrimaryKey()!.Properties.Single() : null);
    }

    // The cache keys of a part, per type and row count, made once rather than at every save.
    private static class PartKeys
    {
        private static readonly Dictionary<Type, string[]> Keys = new[] { typeof(OutboundMessage), typeof(Delivery), typeof(OutboxEntry), typeof(Deadline) }
            .ToDictionary(t => t, t => Enumerable.Range(0, RowsPerPart + 1).Select(n => $"new-rows:{t.Name}*{n}").ToArray());

        public static string For(Type type, int rows) => Keys[type][rows];
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
}
