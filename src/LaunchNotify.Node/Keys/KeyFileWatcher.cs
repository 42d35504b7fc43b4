using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LaunchNotify.Node.Keys;

/// <summary>
/// Reloads the <see cref="KeyRing"/> when a key file changes (a counterpart's key imported, a rotation, a revocation),
/// once the folder has been quiet for 300 ms (a rotation writes three files), and on SIGHUP. The ring is resolved when
/// the watcher starts, not when it is built (listing a host's services must not load keys).
/// </summary>
public sealed class KeyFileWatcher(string directory, Func<KeyRing> ring, ILogger<KeyFileWatcher> logger) : BackgroundService
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(300);

    private readonly Channel<string> triggers = Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // not on the host's start path
        var keys = ring();
        using var watcher = TryWatch();
        // A file changed after the ring loaded but before the folder was watched raised no event: look once now (a no-op
        // reload is neither logged nor audited).
        triggers.Writer.TryWrite("key file change before the watch began");
        using var hangup = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            triggers.Writer.TryWrite("SIGHUP");
        });

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
                try
                {
                    await keys.ReloadAsync(trigger, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A fault of the machine (e.g. the store down while auditing): the next change or SIGHUP tries again.
                    logger.LogError("Reloading the keys ({Trigger}) failed: {Error}", trigger, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>The folder watcher, or null (logged) if the system refuses one, e.g. out of inotify instances: SIGHUP and the API still reload.</summary>
    private FileSystemWatcher? TryWatch()
    {
        try
        {
            var watcher = new FileSystemWatcher(directory)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.Attributes,
            };
            FileSystemEventHandler changed = (_, e) => OnFile(e.Name);
            watcher.Changed += changed;
            watcher.Created += changed;
            watcher.Deleted += changed;
            watcher.Renamed += (_, e) => OnFile(e.Name);
            watcher.Error += (_, e) =>
            {
                logger.LogWarning("Watching the key folder failed ({Error}); reloading now", e.GetException().Message);
                triggers.Writer.TryWrite("watcher error");
            };
            watcher.EnableRaisingEvents = true;
            logger.LogInformation("Watching {Directory} for key changes", directory);
            return watcher;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
        {
            logger.LogWarning("Key files in {Directory} are not watched ({Error}); reload them with SIGHUP or POST /v1/keys/reload", directory, e.Message);
            return null;
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
