using NodaTime;

namespace LaunchNotify.Node.Inbox;

/// <summary>A delivery that could not be processed, with the reason, for an operator to look at.</summary>
public sealed record ParkedMessage(InboundDelivery Delivery, string Code, string Reason, Instant ParkedAt);

/// <summary>Where unreadable or unauthentic deliveries go: out of the inbox queue, never retried, never lost.</summary>
public interface IParkingLot
{
    Task ParkAsync(ParkedMessage message, CancellationToken ct);
}
