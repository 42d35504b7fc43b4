namespace LaunchNotify.Node.Outbox;

/// <summary>Wakes the dispatcher as soon as a transaction has written outbox entries, so nothing waits for a poll.</summary>
public sealed class OutboxSignal : WakeSignal;
