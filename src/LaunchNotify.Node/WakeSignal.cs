namespace LaunchNotify.Node;

/// <summary>
/// Wakes one background loop of this process early (it otherwise sleeps until its next poll). Signals do not queue:
/// one wake-up covers everything written before it.
/// </summary>
public abstract class WakeSignal
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
            // Already signalled: the loop re-reads the store when it wakes.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}
