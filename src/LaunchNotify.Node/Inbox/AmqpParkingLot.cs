using System.Text;
using LaunchNotify.Node.Outbox;

namespace LaunchNotify.Node.Inbox;

/// <summary>
/// Parks a delivery on the broker: the original body goes to the parking exchange with routing key
/// <c>&lt;centre&gt;.&lt;code&gt;</c> and headers saying why, so it lands in <c>launchnotify.parked.&lt;centre&gt;</c>.
/// </summary>
public sealed class AmqpParkingLot(AmqpPublisher publisher, NodeIdentity node) : IParkingLot
{
    public const string CodeHeader = "x-parked-code";
    public const string ReasonHeader = "x-parked-reason";

    public Task ParkAsync(ParkedMessage message, CancellationToken ct)
    {
        var d = message.Delivery;
        var headers = new Dictionary<string, object?>
        {
            [CodeHeader] = Encoding.UTF8.GetBytes(message.Code),
            [ReasonHeader] = Encoding.UTF8.GetBytes(message.Reason),
            ["x-parked-at"] = Encoding.UTF8.GetBytes(message.ParkedAt.ToString()),
            ["x-original-user-id"] = Encoding.UTF8.GetBytes(d.UserId ?? ""),
            ["x-original-routing-key"] = Encoding.UTF8.GetBytes(d.RoutingKey ?? ""),
            ["x-original-message-id"] = Encoding.UTF8.GetBytes(d.AmqpMessageId ?? ""),
            ["x-original-content-type"] = Encoding.UTF8.GetBytes(d.ContentType ?? ""),
        };
        var id = Guid.TryParse(d.AmqpMessageId, out var g) ? g : Guid.NewGuid();
        return publisher.PublishAsync(
            new OutgoingMessage(id, d.Type ?? "unknown", $"{node.Centre}.{message.Code.ToLowerInvariant()}", d.Body.ToArray(), message.ParkedAt.ToUnixTimeSeconds())
            {
                Headers = headers,
            }, ct);
    }
}
