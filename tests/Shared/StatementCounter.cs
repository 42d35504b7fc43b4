using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace LaunchNotify.Tests.Shared;

/// <summary>
/// Records the SQL of every command EF Core executes on a SQLite file whose path starts with <c>folder</c> (a folder,
/// or one store's file): EF Core's diagnostics are process-wide, and other test classes run at the same time on their own files.
/// </summary>
public sealed class StatementCounter(string folder) : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly List<IDisposable> _subscriptions = [];
    public ConcurrentQueue<string> Commands { get; } = new();

    // EF Core decides whether to raise command events at most about once a second (RelationalCommandDiagnosticsLogger):
    // subscribe before the contexts run, then clear between the measured steps.
    public static StatementCounter Start(string folder)
    {
        var counter = new StatementCounter(folder);
        counter._subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(counter));
        return counter;
    }

    public void OnNext(DiagnosticListener listener)
    {
        if (listener.Name == DbLoggerCategory.Name)
            _subscriptions.Add(listener.Subscribe(this));
    }

    public void OnNext(KeyValuePair<string, object?> e)
    {
        if (e.Key == RelationalEventId.CommandExecuted.Name && e.Value is CommandExecutedEventData data
            && data.Command.Connection?.DataSource is { } file && file.StartsWith(folder, StringComparison.Ordinal))
            Commands.Enqueue(data.Command.CommandText);
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
