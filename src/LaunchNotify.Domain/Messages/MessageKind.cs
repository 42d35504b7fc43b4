namespace LaunchNotify.Domain.Messages;

/// <summary>The kinds of message on the wire; each has its own schema in <c>schemas/v1</c>.</summary>
public enum MessageKind
{
    PreNotification,
    Amendment,
    Cancellation,
    PostLaunch,
    Receipt,
    Heartbeat,
    /// <summary>A person at the recipient centre has read a notification (schema 1.2; a second receipt).</summary>
    Acknowledgement,
}

public static class MessageKinds
{
    /// <summary>The kind's name on the wire (also its schema file's name and the routing key's last word).</summary>
    public static string WireName(this MessageKind kind) => kind switch
    {
        MessageKind.PreNotification => "prenotification",
        MessageKind.Amendment => "amendment",
        MessageKind.Cancellation => "cancellation",
        MessageKind.PostLaunch => "postlaunch",
        MessageKind.Receipt => "receipt",
        MessageKind.Heartbeat => "heartbeat",
        MessageKind.Acknowledgement => "acknowledgement",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static bool TryParse(string? wireName, out MessageKind kind)
    {
        foreach (var k in Enum.GetValues<MessageKind>())
        {
            if (k.WireName() == wireName)
            {
                kind = k;
                return true;
            }
        }
        kind = default;
        return false;
    }

    /// <summary>Kinds that carry a launch and share the per-link notification sequence (gaps in it mean a lost message).</summary>
    public static bool IsNotification(this MessageKind kind) =>
        kind is MessageKind.PreNotification or MessageKind.Amendment or MessageKind.Cancellation or MessageKind.PostLaunch;
}
