namespace LaunchNotify.Node.Deadlines;

/// <summary>
/// Wakes this process's deadline watcher when a transaction here has stored a deadline, so one due sooner than the
/// watcher's next look fires on time. Deadlines stored by other processes are found by the watcher's poll.
/// </summary>
public sealed class DeadlineSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: the watcher re-reads every pending deadline when it wakes.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}
