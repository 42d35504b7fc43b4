namespace LaunchNotify.Node;

/// <summary>
/// Wakes one background loop of this process early (it otherwise sleeps until its next poll). Signals do not queue:
/// one wake-up covers everything written before it.
/// </summary>
public abstract class WakeSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);
    private volatile TaskCompletionSource _asleep = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Completes once the loop is asleep in <see cref="WaitAsync"/> (at once if it is now): what was stored before
    /// that moment has been looked at, so only a <see cref="Notify"/> or the poll brings the loop back.
    /// </summary>
    public Task Asleep => _asleep.Task;

    public virtual void Notify()
    {
        // Already signalled (the loop is busy, or has not woken yet): nothing to add. Without this look a busy node threw
        // and caught a SemaphoreFullException for nearly every message it stored.
        if (_signal.CurrentCount > 0)
            return;
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Signalled by another thread since the look above: the loop re-reads the store when it wakes.
        }
    }

    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        _asleep.TrySetResult();
        try
        {
            return await _signal.WaitAsync(timeout, ct);
        }
        finally
        {
            _asleep = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
