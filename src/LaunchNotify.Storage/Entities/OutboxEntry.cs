using NodaTime;

namespace LaunchNotify.Storage.Entities;

/// <summary>
/// One AMQP publish still owed: written in the same transaction as the state that needs it, removed from the queue
/// of work only once the broker confirms it. A broker outage delays, never loses.
/// </summary>
public sealed class OutboxEntry
{
    public long Id { get; set; }
    public Guid MessageId { get; set; }
    public required string Kind { get; set; }

    /// <summary>The recipient centre; the routing key is <c>recipient.sender.kind</c>.</summary>
    public required string Recipient { get; set; }
    public required string RoutingKey { get; set; }
    public required byte[] Body { get; set; }
    public Instant CreatedAt { get; set; }
    public Instant? PublishedAt { get; set; }
    public int Attempts { get; set; }

    /// <summary>After a failure, not before this instant (null: as soon as possible).</summary>
    public Instant? NextAttemptAt { get; set; }
    public string? LastError { get; set; }

    /// <summary>
    /// The dispatcher that is publishing it right now, and until when: several dispatchers over one store (scaled-out
    /// subscribers on PostgreSQL, or publisher and subscriber sharing a file) each publish an entry once. A crashed
    /// dispatcher's lease runs out and another takes the entry over (the receiver dedupes by message id).
    /// </summary>
    public Guid? ClaimToken { get; set; }

    /// <summary>
    /// The W3C traceparent of the work that queued it (the submission, the inbox answering with a receipt), so the
    /// dispatcher publishes within the same trace. Taken from the current activity when the entry is made: every
    /// place that queues a message gets it without passing it along.
    /// </summary>
    public string? TraceParent { get; set; } = System.Diagnostics.Activity.Current is { IdFormat: System.Diagnostics.ActivityIdFormat.W3C } current ? current.Id : null;
    public Instant? ClaimedUntil { get; set; }
}
