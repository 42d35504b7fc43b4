using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace LaunchNotify.Tests.Shared;

/// <summary>
/// Records the SQL of every command EF Core executes on a SQLite file under <c>folder</c> (a folder, or one store's file), or on a PostgreSQL store
/// whose connection string is one of <c>postgres</c> (EF Core's diagnostics are process-wide, and other test classes run
/// at the same time on their own files and schemas); on PostgreSQL also each commit, a round trip of its own.
/// </summary>
public sealed class StatementCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly string? _folder;
    private readonly HashSet<string> _searchPaths = [];

    private StatementCounter(string? folder, IEnumerable<string> postgres)
    {
        _folder = folder;
        foreach (var store in postgres)
            _searchPaths.Add(new Npgsql.NpgsqlConnectionStringBuilder(store).SearchPath ?? throw new ArgumentException("A PostgreSQL store of the tests has a schema of its own."));
    }

    private readonly List<IDisposable> _subscriptions = [];
    public ConcurrentQueue<string> Commands { get; } = new();

    // EF Core decides whether to raise command events at most about once a second (RelationalCommandDiagnosticsLogger):
    // subscribe before the contexts run, then clear between the measured steps.
    public static StatementCounter Start(string folder) => Subscribe(new StatementCounter(folder, []));

    /// <summary>Counts round trips to the PostgreSQL stores of these connection strings (each its own schema).</summary>
    public static StatementCounter StartOnPostgres(params string[] postgres) => Subscribe(new StatementCounter(null, postgres));

    private static StatementCounter Subscribe(StatementCounter counter)
    {
        counter._subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(counter));
        return counter;
    }

    private bool IsOurs(System.Data.Common.DbConnection? connection) => connection switch
    {
        Npgsql.NpgsqlConnection pg => _searchPaths.Contains(new Npgsql.NpgsqlConnectionStringBuilder(pg.ConnectionString).SearchPath ?? ""),
        { DataSource: { } file } => _folder is not null && file.StartsWith(_folder, StringComparison.Ordinal),
        _ => false,
    };

    public void OnNext(DiagnosticListener listener)
    {
        if (listener.Name == DbLoggerCategory.Name)
            _subscriptions.Add(listener.Subscribe(this));
    }

    public void OnNext(KeyValuePair<string, object?> e)
    {
        if (e.Key == RelationalEventId.CommandExecuted.Name && e.Value is CommandExecutedEventData data && IsOurs(data.Command.Connection))
            Commands.Enqueue(data.Command.CommandText);
        // A commit, a savepoint and its release are round trips of their own on PostgreSQL (on SQLite, calls in the process).
        else if (_searchPaths.Count > 0 && e.Value is TransactionEventData { Context: { } context } && IsOurs(context.Database.GetDbConnection())
            && (e.Key == RelationalEventId.TransactionCommitted.Name || e.Key == RelationalEventId.CreatedTransactionSavepoint.Name
                || e.Key == RelationalEventId.ReleasedTransactionSavepoint.Name || e.Key == RelationalEventId.RolledBackToTransactionSavepoint.Name))
            Commands.Enqueue(e.Key.Split('.')[^1].ToUpperInvariant());
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        foreach (var s in _subscriptions)
            s.Dispose();
    }
}
