using LaunchNotify.Node.Broker;
using Microsoft.Extensions.Logging;

namespace LaunchNotify.Node.Outbox;

/// <summary>
/// The loop shared by everything that drains stored work onto the broker (the outbox dispatcher, the alarm feed): run a
/// batch; idle when there was nothing to do; back off while the broker is down (saying so once, and once when it is
/// back); never stop for a store error. Work stays stored until it goes out.
/// </summary>
public static class BrokerWorkLoop
{
    /// <param name="runBatch">Does one batch; returns how many items went out.</param>
    /// <param name="idle">Waits before the next look when a batch found nothing.</param>
    /// <param name="name">What this is, in log lines ("outbox dispatch").</param>
    /// <param name="whileDown">What happens to the work while the broker is away, in the warning.</param>
    public static async Task RunAsync(Func<CancellationToken, Task<int>> runBatch, Func<CancellationToken, Task> idle, TimeSpan maxBackoff,
        ILogger logger, string name, string whileDown, CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.Zero;
        var brokerWasDown = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var done = await runBatch(stoppingToken);
                if (brokerWasDown)
                {
                    logger.LogInformation("Broker reachable again; {Name} resumed", name);
                    brokerWasDown = false;
                }
                backoff = TimeSpan.Zero;
                if (done == 0)
                    await idle(stoppingToken);
            }
            catch (BrokerUnavailableException e)
            {
                if (!brokerWasDown)
                    logger.LogWarning("Broker unavailable, {WhileDown}: {Reason}", whileDown, e.Message);
                brokerWasDown = true;
                backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, maxBackoff.Ticks));
                await Task.Delay(backoff, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A store error must not stop the work for good: log, wait, try again.
                logger.LogError(e, "{Name} failed; retrying", name);
                await Task.Delay(maxBackoff, stoppingToken);
            }
        }
    }
}
