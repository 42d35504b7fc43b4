using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Values;

namespace LaunchNotify.Node;

/// <summary>The wire's routing key: <c>&lt;recipient&gt;.&lt;sender&gt;.&lt;kind&gt;</c>.</summary>
public static class RoutingKeys
{
    public static string For(CentreCode recipient, CentreCode sender, MessageKind kind) => $"{recipient}.{sender}.{kind.WireName()}";

    public static bool TryParse(string? routingKey, out string recipient, out string sender, out string kind)
    {
        var parts = routingKey?.Split('.') ?? [];
        (recipient, sender, kind) = parts.Length == 3 ? (parts[0], parts[1], parts[2]) : ("", "", "");
        return parts.Length == 3;
    }
}
