using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace LaunchNotify.Storage;

/// <summary>
/// Statements of the hot path written once per model and run through EF Core's own command pipeline (the context's
/// connection and transaction, its command logging, diagnostics and interceptors, so they are counted and traced like any
/// other), without what <c>SaveChanges</c> does per row: change tracking, a modification command and its SQL generated
/// anew for every row, one command per row on SQLite. Parameters are typed by the model's mappings of the columns they
/// fill (value converters included), so a null is a typed null on PostgreSQL as on SQLite. A built command is shared by
/// every context of its model, at once: run it with <c>ExecuteNonQuery</c> or <c>ExecuteScalar</c> only (EF Core's command
/// keeps one data reader for itself, so two readers of one shared command at once break each other); a statement read
/// through a data reader is run as <see cref="Reader"/> makes it, a command of its own over the shared text.
/// </summary>
public static class ModelCommands
{
    private static readonly ConditionalWeakTable<IModel, ConcurrentDictionary<string, IRelationalCommand>> Built = new();

    /// <summary>The command <paramref name="key"/> for <paramref name="db"/>'s model, built by <paramref name="build"/> the first time.</summary>
    public static IRelationalCommand Get(DbContext db, string key, Func<DbContext, IRelationalCommand> build) =>
        Built.GetValue(db.Model, _ => new ConcurrentDictionary<string, IRelationalCommand>()).GetOrAdd(key, _ => build(db));

    private static readonly ConditionalWeakTable<IModel, ConcurrentDictionary<string, object>> Compiled = new();

    /// <summary>
    /// The compiled query <paramref name="key"/> for <paramref name="db"/>'s model, compiled by <paramref name="compile"/>
    /// the first time (<c>EF.CompileAsyncQuery</c>: no expression to build, hash and look up per call). A compiled query is
    /// bound to the first model it runs with, and a process may hold several (a SQLite and a PostgreSQL store), so one per model.
    /// </summary>
    public static TQuery Query<TQuery>(DbContext db, string key, Func<TQuery> compile) where TQuery : class =>
        (TQuery)Compiled.GetValue(db.Model, _ => new ConcurrentDictionary<string, object>()).GetOrAdd(key, _ => compile());

    /// <summary>
    /// <c>INSERT INTO table (columns) VALUES (row 0), (row 1) …</c> for <paramref name="rows"/> rows of
    /// <paramref name="entity"/>'s <paramref name="properties"/> (parameters <c>r{row}_{i}</c>), then <paramref name="tail"/>
    /// (a conflict clause or further statements, whose own parameters <paramref name="tailParameters"/> name with the
    /// property whose mapping types them).
    /// </summary>
    public static IRelationalCommand BuildInsert(DbContext db, IEntityType entity, IReadOnlyList<IProperty> properties, int rows, string tail = "",
        params (string Name, IProperty TypedAs)[] tailParameters)
    {
        var sql = db.GetService<ISqlGenerationHelper>();
        var builder = db.GetService<IRelationalCommandBuilderFactory>().Create();
        var text = InsertInto(sql, entity, properties);
        for (var row = 0; row < rows; row++)
            AppendRow(text.Append(row == 0 ? "" : ", "), sql, builder, properties, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"r{row}_"));
        foreach (var (name, typedAs) in tailParameters)
            builder.AddParameter(name, sql.GenerateParameterName(name), typedAs.GetRelationalTypeMapping(), typedAs.IsNullable);
        builder.Append(text.Append(' ').Append(tail).ToString());
        return builder.Build();
    }

    /// <summary>
    /// One table's rows in <see cref="BuildInserts"/>: one multi-row insert, or, with <paramref name="Returned"/> (a key the
    /// store generates), one insert per row returning that column.
    /// </summary>
    public sealed record InsertPart(IEntityType Entity, IReadOnlyList<IProperty> Properties, int Rows, IProperty? Returned = null);

    /// <summary>
    /// The inserts of <paramref name="parts"/> in one command, in their order. Its parameters are the parts' rows' values in
    /// that order (part by part, row by row, property by property: fill them by position, as <see cref="IRelationalCommand.Parameters"/>
    /// lists them). A part with a returned key gives one result per row, in the order of its rows (a multi-row insert's
    /// <c>RETURNING</c> gives its rows in no promised order, on SQLite and PostgreSQL alike); the other statements give none.
    /// Read through a data reader: run it as <see cref="Reader"/> makes it.
    /// </summary>
    public static IRelationalCommand BuildInserts(DbContext db, IReadOnlyList<InsertPart> parts)
    {
        var sql = db.GetService<ISqlGenerationHelper>();
        var builder = db.GetService<IRelationalCommandBuilderFactory>().Create();
        var text = new StringBuilder();
        for (var p = 0; p < parts.Count; p++)
        {
            var part = parts[p];
            var insert = InsertInto(sql, part.Entity, part.Properties).ToString();
            var table = StoreObjectIdentifier.Table(part.Entity.GetTableName()!, part.Entity.GetSchema());
            for (var row = 0; row < part.Rows; row++)
            {
                var prefix = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"p{p}_{row}_");
                if (part.Returned is { } returned)
                    AppendRow(text.Append(text.Length == 0 ? "" : ";\n").Append(insert), sql, builder, part.Properties, prefix)
                        .Append(" RETURNING ").Append(sql.DelimitIdentifier(returned.GetColumnName(table)!));
                else
                    AppendRow(text.Append(row > 0 ? ", " : text.Length == 0 ? insert : ";\n" + insert), sql, builder, part.Properties, prefix);
            }
        }
        return builder.Append(text.ToString()).Build();
    }

    /// <summary>
    /// <paramref name="commands"/> as one command: their statements in that order, their parameters in that order (so a
    /// command's parameters filled by position, as <see cref="BuildInserts"/>' are, must come first). Their parameter names
    /// must differ. On PostgreSQL one round trip for all of them.
    /// </summary>
    public static IRelationalCommand Combine(DbContext db, IReadOnlyList<IRelationalCommand> commands) =>
        Compose(db, commands, texts => string.Join(";\n", texts.Where(t => t.Length > 0)));

    /// <summary>
    /// One command whose parameters are <paramref name="commands"/>' (in that order; their names must differ) and whose text
    /// <paramref name="text"/> makes of theirs (e.g. one statement as a common table expression of another).
    /// </summary>
    public static IRelationalCommand Compose(DbContext db, IReadOnlyList<IRelationalCommand> commands, Func<IReadOnlyList<string>, string> text)
    {
        var builder = db.GetService<IRelationalCommandBuilderFactory>().Create();
        var names = new HashSet<string>();
        foreach (var command in commands)
            foreach (var parameter in command.Parameters)
            {
                if (!names.Add(parameter.InvariantName))
                    throw new InvalidOperationException($"Two statements of one command both have a parameter '{parameter.InvariantName}'.");
                builder.AddParameter(parameter);
            }
        return builder.Append(text([.. commands.Select(c => c.CommandText)])).Build();
    }

    /// <summary>
    /// Runs <paramref name="command"/> (a statement that returns nothing, which nothing reads back before the step ends) now,
    /// or, on PostgreSQL in the group committer's writer, with the next command the context sends itself: the first
    /// command of its next save, or the one the committer sends at the end of the step (with the next step's savepoint),
    /// which saves a round trip. <paramref name="key"/> names the statement (its text and its parameters' names): of two
    /// sharing a parameter name, the earlier goes at once.
    /// </summary>
    public static Task ExecuteWithSaveAsync(NodeDbContext db, string key, IRelationalCommand command, Dictionary<string, object?> values, CancellationToken ct) =>
        db.DefersWrites ? db.DeferAsync(new NodeDbContext.DeferredStatement(key, command, values), ct) : ExecuteAsync(db, command, values, ct);

    /// <summary><c>SAVEPOINT name</c> as a command (to go in one with others; the transaction's own call is a round trip of its own).</summary>
    public static IRelationalCommand Savepoint(DbContext db, string name) =>
        Get(db, "savepoint:" + name, context => context.GetService<IRelationalCommandBuilderFactory>().Create()
            .Append("SAVEPOINT " + context.GetService<ISqlGenerationHelper>().DelimitIdentifier(name)).Build());

    private static StringBuilder InsertInto(ISqlGenerationHelper sql, IEntityType entity, IReadOnlyList<IProperty> properties)
    {
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        return new StringBuilder("INSERT INTO ").Append(sql.DelimitIdentifier(table.Name, table.Schema)).Append(" (")
            .AppendJoin(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!))).Append(") VALUES ");
    }

    /// <summary>One row's values, its parameters named <paramref name="prefix"/> and the property's position.</summary>
    private static StringBuilder AppendRow(StringBuilder text, ISqlGenerationHelper sql, IRelationalCommandBuilder builder, IReadOnlyList<IProperty> properties, string prefix)
    {
        text.Append('(');
        for (var i = 0; i < properties.Count; i++)
        {
            var name = prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            builder.AddParameter(name, sql.GenerateParameterName(name), properties[i].GetRelationalTypeMapping(), properties[i].IsNullable);
            text.Append(i == 0 ? "" : ", ").Append(sql.GenerateParameterNamePlaceholder(name));
        }
        return text.Append(')');
    }

    /// <summary>
    /// The command <paramref name="key"/> for <paramref name="db"/>'s model, to be read through a data reader: its text and
    /// typed parameters are built once (by <paramref name="build"/>), the command object is made anew for each run, since
    /// EF Core's command keeps the one data reader it hands out and must not be read by two contexts at once.
    /// </summary>
    public static IRelationalCommand Reader(DbContext db, string key, Func<DbContext, IRelationalCommand> build)
    {
        var template = Get(db, key, build);
        return new RelationalCommand(db.GetService<RelationalCommandBuilderDependencies>(), template.CommandText, template.LogCommandText, template.Parameters);
    }

    /// <summary>
    /// The statement <paramref name="key"/> for <paramref name="db"/>'s model: <paramref name="sql"/>, given each parameter's
    /// placeholder by name, is written once; each parameter is typed by the mapping of the property named with it
    /// (<paramref name="parameters"/> is asked only then).
    /// </summary>
    public static IRelationalCommand Statement(DbContext db, string key, Func<IModel, IReadOnlyList<(string Name, IProperty TypedAs)>> parameters,
        Func<Func<string, string>, string> sql) =>
        Get(db, key, context => Build(context, parameters(context.Model), sql));

    /// <summary>As <see cref="Statement"/>, for a statement read through a data reader (see <see cref="Reader"/>).</summary>
    public static IRelationalCommand ReaderStatement(DbContext db, string key, Func<IModel, IReadOnlyList<(string Name, IProperty TypedAs)>> parameters,
        Func<Func<string, string>, string> sql) =>
        Reader(db, key, context => Build(context, parameters(context.Model), sql));

    private static IRelationalCommand Build(DbContext context, IEnumerable<(string Name, IProperty TypedAs)> parameters, Func<Func<string, string>, string> sql)
    {
        var helper = context.GetService<ISqlGenerationHelper>();
        var builder = context.GetService<IRelationalCommandBuilderFactory>().Create();
        foreach (var (name, typedAs) in parameters)
            builder.AddParameter(name, helper.GenerateParameterName(name), typedAs.GetRelationalTypeMapping(), typedAs.IsNullable);
        return builder.Append(sql(helper.GenerateParameterNamePlaceholder)).Build();
    }

    /// <summary>Runs <paramref name="command"/> (one of <see cref="Reader"/>'s) and returns its rows.</summary>
    public static async Task<IReadOnlyList<object?[]>> RowsAsync(DbContext db, IRelationalCommand command, IReadOnlyDictionary<string, object?> values, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(Parameters(db, values), ct);
        return await ReadRowsAsync(reader.DbDataReader, ct);
    }

    /// <summary>The rows of <paramref name="reader"/>'s current result, each as its column values (DBNull as null).</summary>
    public static async Task<IReadOnlyList<object?[]>> ReadRowsAsync(System.Data.Common.DbDataReader reader, CancellationToken ct)
    {
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(ct))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>
    /// Column <paramref name="ordinal"/> of <paramref name="reader"/>'s row as <paramref name="property"/>'s value: its stored
    /// value read back through the property's value converter (an <c>Instant</c>, an enum kept as text), null as default.
    /// </summary>
    public static T? Column<T>(System.Data.Common.DbDataReader reader, int ordinal, IProperty property)
    {
        if (reader.IsDBNull(ordinal))
            return default;
        return property.GetTypeMapping().Converter is { } converter
            ? (T?)converter.ConvertFromProvider(reader.GetValue(ordinal))
            : reader.GetFieldValue<T>(ordinal);
    }

    /// <summary>Runs <paramref name="command"/> and returns the first column of its first row (null when it returns none).</summary>
    public static async Task<object?> ScalarAsync(DbContext db, IRelationalCommand command, IReadOnlyDictionary<string, object?> values, CancellationToken ct) =>
        await command.ExecuteScalarAsync(Parameters(db, values), ct) is { } value and not DBNull ? value : null;

    /// <summary>
    /// Whether <typeparamref name="TEntity"/>'s table has a row with the primary key <paramref name="key"/> (its values in
    /// the key's order): one cached <c>SELECT 1 … LIMIT 1</c> per model, for the looks a message makes before its step,
    /// which nearly always find nothing (the LINQ query it replaces compiled, cached and shaped a whole entity each time).
    /// </summary>
    public static async Task<bool> ExistsAsync<TEntity>(DbContext db, object[] key, CancellationToken ct) where TEntity : class
    {
        var keys = db.Model.FindEntityType(typeof(TEntity))!.FindPrimaryKey()!.Properties;
        var command = Get(db, ExistsKey<TEntity>.Name, context =>
        {
            var sql = context.GetService<ISqlGenerationHelper>();
            var entity = context.Model.FindEntityType(typeof(TEntity))!;
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            return Build(context, keys.Select(k => (k.Name, k)), p =>
                $"SELECT 1 FROM {sql.DelimitIdentifier(table.Name, table.Schema)} WHERE " +
                string.Join(" AND ", keys.Select(k => $"{sql.DelimitIdentifier(k.GetColumnName(table)!)} = {p(k.Name)}")) + " LIMIT 1");
        });
        var parameters = new Dictionary<string, object?>(keys.Count);
        for (var i = 0; i < keys.Count; i++)
            parameters[keys[i].Name] = key[i];
        return await command.ExecuteScalarAsync(Parameters(db, parameters, CommandSource.LinqQuery), ct) is not (null or DBNull);
    }

    // The cache key of a type's existence statement, made once per type rather than on every look.
    private static class ExistsKey<TEntity>
    {
        public static readonly string Name = "exists:" + typeof(TEntity).FullName;
    }

    /// <summary>The invariant name of the parameter for row <paramref name="row"/>, column <paramref name="column"/> of <see cref="BuildInsert"/>.</summary>
    public static string ParameterName(int row, int column) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"r{row}_{column}");

    /// <summary>The placeholder of a tail parameter in <paramref name="db"/>'s SQL dialect.</summary>
    public static string Placeholder(DbContext db, string name) => db.GetService<ISqlGenerationHelper>().GenerateParameterNamePlaceholder(name);

    /// <summary>Adds <paramref name="row"/>'s values of <paramref name="properties"/> as row <paramref name="index"/>'s parameters.</summary>
    public static void AddRow<T>(Dictionary<string, object?> values, IReadOnlyList<IProperty> properties, int index, T row) where T : class
    {
        for (var i = 0; i < properties.Count; i++)
            values[ParameterName(index, i)] = properties[i].GetGetter().GetClrValue(row);
    }

    /// <summary>Runs <paramref name="command"/> with <paramref name="values"/> on <paramref name="db"/>'s connection and transaction.</summary>
    public static Task<int> ExecuteAsync(DbContext db, IRelationalCommand command, IReadOnlyDictionary<string, object?> values, CancellationToken ct) =>
        command.ExecuteNonQueryAsync(Parameters(db, values), ct);

    /// <inheritdoc cref="ExecuteAsync"/>
    public static int Execute(DbContext db, IRelationalCommand command, IReadOnlyDictionary<string, object?> values) =>
        command.ExecuteNonQuery(Parameters(db, values));

    /// <summary><paramref name="values"/> for a command of <see cref="ModelCommands"/>, on <paramref name="db"/>'s connection, transaction and logging.</summary>
    public static RelationalCommandParameterObject Parameters(DbContext db, IReadOnlyDictionary<string, object?> values, CommandSource source = CommandSource.SaveChanges) =>
        new(db.GetService<IRelationalConnection>(), values, null, db, db.GetService<IRelationalCommandDiagnosticsLogger>(), source);

    /// <summary>The mapped, stored properties of <paramref name="entity"/> in a fixed order (the model's), for an insert of whole rows.</summary>
    public static IReadOnlyList<IProperty> StoredProperties(IEntityType entity) =>
        Stored.GetValue(entity, e => e.GetProperties().Where(p => p.GetTableColumnMappings().Any()).ToList());

    private static readonly ConditionalWeakTable<IEntityType, IReadOnlyList<IProperty>> Stored = new();

    /// <summary>
    /// What an insert of a new <paramref name="entity"/> row writes: <see cref="StoredProperties"/> but a key the store
    /// generates (an integer key generated on add: an identity or autoincrement column), which the insert returns instead.
    /// A key generated on add of another type (a Guid) is made by EF Core in the process, and written.
    /// </summary>
    public static IReadOnlyList<IProperty> InsertedProperties(IEntityType entity) =>
        Inserted.GetValue(entity, e => StoredProperties(e).Where(p => !IsStoreGeneratedKey(p)).ToList());

    private static bool IsStoreGeneratedKey(IProperty p) =>
        p.IsPrimaryKey() && p.ValueGenerated.HasFlag(ValueGenerated.OnAdd) && (p.ClrType == typeof(long) || p.ClrType == typeof(int));

    private static readonly ConditionalWeakTable<IEntityType, IReadOnlyList<IProperty>> Inserted = new();
}
