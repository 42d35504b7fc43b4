namespace LaunchNotify.Domain.Values;

/// <summary>The globally unique id of one message (a UUID, never empty).</summary>
public readonly record struct MessageId
{
    public Guid Value { get; }

    public MessageId(Guid value)
    {
        if (value == Guid.Empty)
            throw new ArgumentException("A message id cannot be the empty UUID.", nameof(value));
        Value = value;
    }

    public static MessageId New() => new(Guid.NewGuid());

    public static MessageId Parse(string text) =>
        Guid.TryParse(text, out var guid) ? new MessageId(guid) : throw new FormatException($"'{text}' is not a UUID.");

    public override string ToString() => Value.ToString("D");
}
