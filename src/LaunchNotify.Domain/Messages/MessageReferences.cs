using LaunchNotify.Domain.Values;

namespace LaunchNotify.Domain.Messages;

/// <summary>How follow-up messages refer to the pre-notification they concern.</summary>
public static class MessageReferences
{
    /// <summary>The pre-notification an amendment, cancellation or post-launch report refers to; null for other kinds.</summary>
    public static MessageId? RelatesTo(this Message message) => message switch
    {
        Amendment a => a.Amends,
        Cancellation c => c.Cancels,
        PostLaunchReport p => p.ReportsOn,
        _ => null,
    };

    /// <summary>A pre-notification as it stands after its amendments, applied in the order they were issued.</summary>
    public static PreNotification WithAmendments(this PreNotification original, IEnumerable<Amendment> amendments) =>
        amendments.Aggregate(original, (notification, amendment) => amendment.Changes.ApplyTo(notification));
}
