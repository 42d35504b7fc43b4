using LaunchNotify.Domain.Values;
using NodaTime;

namespace LaunchNotify.Domain.Messages;

public enum PostLaunchOutcome { Launched, NotLaunched }

/// <summary>After the window: the launch took place at an instant, or it did not take place.</summary>
public sealed record PostLaunchReport : Message
{
    public override MessageKind Kind => MessageKind.PostLaunch;

    /// <summary>The pre-notification this reports on.</summary>
    public required MessageId ReportsOn { get; init; }
    public required PostLaunchOutcome Outcome { get; init; }

    /// <summary>When the (first) missile was launched; present exactly when <see cref="Outcome"/> is Launched.</summary>
    public Instant? LaunchedAt { get; init; }
    public int? MissilesLaunched { get; init; }
    public string? Remarks { get; init; }
}
