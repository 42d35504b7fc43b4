using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace LaunchNotify.Bench;

/// <summary>
/// Sees a delivery confirmed the moment the sender's store does, without asking the publisher's API for each message.
/// The sender's subscriber stores the recipient's receipt in its inbox and marks the delivery confirmed in the same
/// transaction, so a new receipt row is exactly "the sender's status says confirmed". Rows are read incrementally by
/// rowid (SQLite hands out rowids in commit order: one writer at a time) every few milliseconds on a read-only
/// WAL snapshot, which never blocks the nodes' writers.
/// </summary>
public sealed class ConfirmationObserver : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Guid, (long Ticks, string Outcome)> _confirmed = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _polls;

    public ConfirmationObserver(string senderStorePath, TimeSpan interval)
    {
        _loop = Task.Factory.StartNew(() => Loop(senderStorePath, interval, _stop.Token), TaskCreationOptions.LongRunning);
    }

    public int Count => _confirmed.Count;
    public long Polls => Interlocked.Read(ref _polls);

    public bool TryGet(Guid messageId, out long observedTicks, out string outcome)
    {
        var found = _confirmed.TryGetValue(messageId, out var entry);
        (observedTicks, outcome) = entry;
        return found;
    }

    private void Loop(string path, TimeSpan interval, CancellationToken ct)
    {
        using var connection = BenchEnvironment.OpenReadOnly(path);
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT rowid, json_extract(PayloadJson, '$.receiptFor'), json_extract(PayloadJson, '$.outcome')
            FROM Inbox WHERE rowid > $last AND Kind = 'receipt' ORDER BY rowid
            """;
        var last = command.Parameters.Add("$last", SqliteType.Integer);
        last.Value = 0L;
        command.Prepare();
        while (!ct.IsCancellationRequested)
        {
            using (var reader = command.ExecuteReader())
            {
                var now = Stopwatch.GetTimestamp();
                while (reader.Read())
                {
                    last.Value = reader.GetInt64(0);
                    if (!reader.IsDBNull(1) && Guid.TryParse(reader.GetString(1), out var id))
                        _confirmed.TryAdd(id, (now, reader.IsDBNull(2) ? "?" : reader.GetString(2)));
                }
            }
            Interlocked.Increment(ref _polls);
            Thread.Sleep(interval);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
