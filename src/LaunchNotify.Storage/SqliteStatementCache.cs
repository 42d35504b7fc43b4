using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace LaunchNotify.Storage;

/// <summary>
/// Prepared statements kept for a long-lived SQLite connection (the group committer's): a command EF Core runs again
/// with the same text runs SQLite's compiled statement again, rebinding its parameters, instead of parsing, planning
/// and compiling the text anew.
/// </summary>
/// <remarks>
/// EF Core makes a new <see cref="SqliteCommand"/> for every execution and disposes it after, and Microsoft.Data.Sqlite
/// finalizes a command's statements when the command is disposed; PostgreSQL's driver keeps prepared statements per
/// connection itself (<see cref="StorageOptions.WithPreparedStatements"/>), SQLite's has no such cache. Preparing was
/// about 6 % of each node process's CPU in the closed loop (perf, SQLite's parser and code generator as leaf frames:
/// docs/performance.md, 2026-12-07, sixth session). Once EF Core has built a command, this interceptor hands it an
/// equivalent one: the same text, transaction, timeout and parameters on a <see cref="SqliteCommand"/> kept for the
/// connection, wrapped so that EF Core's disposal gives it back instead of finalizing its statements. Only for a
/// connection opted in with <see cref="Enable"/>, and forgotten when it closes (closing disposes the connection's
/// commands). A command whose execution failed is not kept. Bounded: beyond <see cref="MaxStatements"/> texts a command
/// runs as EF Core made it.
/// </remarks>
public sealed class SqliteStatementCache : DbCommandInterceptor
{
    public static readonly SqliteStatementCache Instance = new();

    /// <summary>How many commands (distinct texts, or the same text rented twice at once) one connection keeps.</summary>
    public const int MaxStatements = 256;

    private static readonly ConditionalWeakTable<SqliteConnection, Pool> Pools = new();

    private SqliteStatementCache()
    {
    }

    /// <summary>Keeps the prepared statements of an open connection's commands until it closes.</summary>
    public static void Enable(DbConnection connection)
    {
        if (connection is SqliteConnection { State: ConnectionState.Open } sqlite && !Pools.TryGetValue(sqlite, out _))
            Pools.Add(sqlite, new Pool(sqlite));
    }

    /// <summary>Statements prepared and reused on a connection so far (for the tests).</summary>
    public static (int Prepared, int Reused) CountsOf(DbConnection connection) =>
        connection is SqliteConnection sqlite && Pools.TryGetValue(sqlite, out var pool) ? (pool.Prepared, pool.Reused) : (0, 0);

    public override DbCommand CommandInitialized(CommandEndEventData eventData, DbCommand result) =>
        result is SqliteCommand { Connection: { } connection } command && Pools.TryGetValue(connection, out var pool)
            ? pool.Rent(command)
            : result;

    private sealed class Pool
    {
        private readonly SqliteConnection _connection;
        private readonly Dictionary<string, Stack<SqliteCommand>> _idle = new(StringComparer.Ordinal);
        private int _kept;
        private bool _closed;

        public int Prepared;
        public int Reused;

        public Pool(SqliteConnection connection)
        {
            _connection = connection;
            connection.StateChange += OnStateChange;
        }

        private void OnStateChange(object sender, StateChangeEventArgs e)
        {
            if (e.CurrentState == ConnectionState.Open)
                return;
            // Closing disposes the connection's commands (their statements are finalized); forget them.
            _closed = true;
            _connection.StateChange -= OnStateChange;
            Pools.Remove(_connection);
            foreach (var command in _idle.Values.SelectMany(s => s))
                command.Dispose();
            _idle.Clear();
        }

        public DbCommand Rent(SqliteCommand made)
        {
            if (_closed)
                return made;
            if (_idle.TryGetValue(made.CommandText, out var idle) && idle.TryPop(out var kept))
                Reused++;
            else if (_kept < MaxStatements)
            {
                kept = _connection.CreateCommand();
                kept.CommandText = made.CommandText;
                _kept++;
                Prepared++;
            }
            else
                return made;

            kept.Transaction = made.Transaction;
            kept.CommandTimeout = made.CommandTimeout;
            kept.CommandType = made.CommandType;
            var parameters = made.Parameters.Cast<SqliteParameter>().ToArray();
            made.Parameters.Clear();
            kept.Parameters.Clear();
            kept.Parameters.AddRange(parameters);
            made.Dispose();
            return new Rented(kept, this);
        }

        public void GiveBack(SqliteCommand command, bool failed)
        {
            command.Parameters.Clear();
            command.Transaction = null;
            if (_closed || failed)
            {
                // A failed statement is finalized rather than trusted again; its place is free for a new one.
                command.Dispose();
                if (!_closed)
                    _kept--;
                return;
            }
            if (!_idle.TryGetValue(command.CommandText, out var idle))
                _idle[command.CommandText] = idle = new Stack<SqliteCommand>(1);
            idle.Push(command);
        }
    }

    /// <summary>A kept command lent to EF Core for one execution: everything goes to it, and disposing gives it back.</summary>
    private sealed class Rented(SqliteCommand inner, Pool pool) : DbCommand
    {
        private bool _failed;
        private bool _returned;

        [AllowNull]
        public override string CommandText
        {
            get => inner.CommandText;
            set
            {
                if (!string.Equals(value, inner.CommandText, StringComparison.Ordinal))
                    throw new InvalidOperationException("A kept SQLite statement's text cannot change.");
            }
        }

        public override int CommandTimeout { get => inner.CommandTimeout; set => inner.CommandTimeout = value; }
        public override CommandType CommandType { get => inner.CommandType; set => inner.CommandType = value; }
        public override bool DesignTimeVisible { get => inner.DesignTimeVisible; set => inner.DesignTimeVisible = value; }
        public override UpdateRowSource UpdatedRowSource { get => inner.UpdatedRowSource; set => inner.UpdatedRowSource = value; }
        protected override DbConnection? DbConnection { get => inner.Connection; set => inner.Connection = (SqliteConnection?)value; }
        protected override DbParameterCollection DbParameterCollection => inner.Parameters;
        protected override DbTransaction? DbTransaction { get => inner.Transaction; set => inner.Transaction = (SqliteTransaction?)value; }

        public override void Cancel() => inner.Cancel();
        public override void Prepare() => inner.Prepare();
        protected override DbParameter CreateDbParameter() => inner.CreateParameter();

        public override int ExecuteNonQuery()
        {
            try
            {
                return inner.ExecuteNonQuery();
            }
            catch
            {
                _failed = true;
                throw;
            }
        }

        public override object? ExecuteScalar()
        {
            try
            {
                return inner.ExecuteScalar();
            }
            catch
            {
                _failed = true;
                throw;
            }
        }

        protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior)
        {
            try
            {
                return inner.ExecuteReader(behavior);
            }
            catch
            {
                _failed = true;
                throw;
            }
        }

        // Microsoft.Data.Sqlite runs synchronously; its async methods wrap the synchronous ones. The base class's async
        // methods call the overrides above, so a failure is recorded either way.

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_returned)
            {
                _returned = true;
                pool.GiveBack(inner, _failed);
            }
            base.Dispose(disposing);
        }
    }
}
