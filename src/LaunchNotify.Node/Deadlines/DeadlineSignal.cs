namespace LaunchNotify.Node.Deadlines;

/// <summary>
/// Wakes this process's deadline watcher when a transaction here has stored a deadline, so one due sooner than the
/// watcher's next look fires on time. Deadlines stored by other processes are found by the watcher's poll.
/// </summary>
public sealed class DeadlineSignal : WakeSignal;
