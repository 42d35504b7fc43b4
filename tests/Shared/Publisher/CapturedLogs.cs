using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace LaunchNotify.Tests.Shared;

/// <summary>A logger provider that keeps every entry at or above a level, so a test can assert that nothing went wrong.</summary>
public sealed class CapturedLogs(LogLevel minimum) : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    public sealed record Entry(LogLevel Level, string Category, string Message, Exception? Exception)
    {
        public override string ToString() => $"{Level} {Category}: {Message}{(Exception is null ? "" : "\n" + Exception)}";
    }

    public LogLevel Minimum => minimum;

    public IReadOnlyList<Entry> Entries => [.. _entries];

    /// <summary>Errors and worse, and anything logged with an exception.</summary>
    public IReadOnlyList<Entry> Failures => [.. _entries.Where(e => e.Level >= LogLevel.Error || e.Exception is not null)];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner.Minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                owner._entries.Enqueue(new Entry(logLevel, category, formatter(state, exception), exception));
        }
    }
}
