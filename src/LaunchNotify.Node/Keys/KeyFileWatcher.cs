using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LaunchNotify.Node.Keys;

/// <summary>
/// Reloads the <see cref="KeyRing"/> when a key file changes (a counterpart's key imported, a rotation, a revocation),
/// once the folder has been quiet for 300 ms (a rotation writes three files), and on SIGHUP.
/// </summary>
public sealed class KeyFileWatcher(KeyRing ring, ILogger<KeyFileWatcher> logger) : BackgroundService
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(300);

    private readonly Channel<string> triggers = Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var watcher = new FileSystemWatcher(ring.Directory)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.Attributes,
        };
        FileSystemEventHandler changed = (_, e) => OnFile(e.Name);
        watcher.Changed += changed;
        watcher.Created += changed;
        watcher.Deleted += changed;
        watcher.Renamed += (_, e) => OnFile(e.Name);
        watcher.Error += (_, e) => { logger.LogWarning("Watching the key folder failed ({Error}); reloading now", e.GetException().Message); triggers.Writer.TryWrite("watcher error"); };
        watcher.EnableRaisingEvents = true;
        using var hangup = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            triggers.Writer.TryWrite("SIGHUP");
        });
        logger.LogInformation("Watching {Directory} for key changes", ring.Directory);

        try
        {
            while (await triggers.Reader.WaitToReadAsync(stoppingToken))
            {
                // Quiet period: keep draining while files are still being written.
                var trigger = "key file change";
                do
                {
                    while (triggers.Reader.TryRead(out var t))
                        trigger = t;
                    await Task.Delay(Debounce, stoppingToken);
                } while (triggers.Reader.TryPeek(out _));
                await ring.ReloadAsync(trigger, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void OnFile(string? name)
    {
        // The store writes a sibling temp file and renames it; the rename into place is the event that counts.
        if (name is null || !name.EndsWith(".json", StringComparison.Ordinal))
            return;
        triggers.Writer.TryWrite("key file change");
    }
}
