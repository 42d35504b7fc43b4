using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Domain.Values;
using NodaTime;

namespace LaunchNotify.Domain.Rules;

/// <summary>Who applies the rules: the sender refuses a late notification, the receiver records it as a finding.</summary>
public enum EvaluatingSide { Sender, Receiver }

/// <summary>The agreement's rules applied to one message. Errors refuse it; findings are noted (e.g. late on receipt).</summary>
public sealed record RuleOutcome(IReadOnlyList<ValidationError> Errors, IReadOnlyList<ValidationError> Findings)
{
    public bool IsValid => Errors.Count == 0;
}

public interface IMessageRules
{
    RuleOutcome Evaluate(Message message, Agreement agreement, EvaluatingSide side, CentreCode evaluatingCentre, Instant evaluatedAt, PreNotification? original);
}
