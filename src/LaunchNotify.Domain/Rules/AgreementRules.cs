using System.Collections.Immutable;
using FluentValidation;
using LaunchNotify.Domain.Agreements;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Validation;
using LaunchNotify.Domain.Values;
using NodaTime;

namespace LaunchNotify.Domain.Rules;

/// <summary>
/// Applies an agreement's rules to a message: picks the rule sets the message kind and the agreement's parameters call
/// for, runs them through <see cref="AgreementValidator"/>, and splits the outcome into errors and findings.
/// Stateless and thread-safe: one instance serves the whole node.
/// </summary>
public sealed class AgreementRules : IMessageRules
{
    private readonly AgreementValidator _validator = new();

    public RuleOutcome Evaluate(Message message, Agreement agreement, EvaluatingSide side, CentreCode evaluatingCentre, Instant evaluatedAt, PreNotification? original)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(agreement);
        var context = new RuleContext(message, agreement, side, evaluatingCentre, evaluatedAt, original);
        var errors = new List<ValidationError>();
        var findings = new List<ValidationError>();
        foreach (var ruleSet in RuleSetsFor(context))
        {
            var result = _validator.Validate(new ValidationContext<RuleContext>(context, new FluentValidation.Internal.PropertyChain(), OneRuleSet.Named(ruleSet)));
            foreach (var failure in result.Errors)
            {
                var error = new ValidationError(failure.ErrorCode, $"{agreement.Id}/{ruleSet}", failure.PropertyName, failure.ErrorMessage)
                {
                    Args = failure.CustomState as ImmutableSortedDictionary<string, string>,
                };
                (failure.Severity == Severity.Error ? errors : findings).Add(error);
            }
        }
        return new RuleOutcome(errors, findings);
    }

    /// <summary>
    /// The rule sets that apply, in order. Every kind checks <see cref="RuleSetNames.Parties"/>. A pre-notification adds
    /// Scope, LeadTime, and where the agreement sets them Direction (scope only toward a party), WindowLength (a
    /// maximum window), RequiredFields and Geography. An amendment checks its original and lead time for newly covered
    /// time (Amendment), then the amended launch with the pre-notification's rule sets except LeadTime; cancellations
    /// and post-launch reports check their original.
    /// </summary>
    public static IReadOnlyList<string> RuleSetsFor(RuleContext context)
    {
        var sets = new List<string> { RuleSetNames.Parties };
        switch (context.Message)
        {
            case PreNotification:
                sets.AddRange(LaunchRuleSets(context.Agreement, includeLeadTime: true));
                break;
            case Amendment amendment:
                sets.Add(RuleSetNames.Amendment);
                if (context.Original is { } original && original.Sender == amendment.Sender && original.AgreementId == amendment.AgreementId)
                    sets.AddRange(LaunchRuleSets(context.Agreement, includeLeadTime: false));
                break;
            case Cancellation:
                sets.Add(RuleSetNames.Cancellation);
                break;
            case PostLaunchReport:
                sets.Add(RuleSetNames.PostLaunch);
                break;
            case Receipt:
                sets.Add(RuleSetNames.Receipt);
                break;
            case Heartbeat:
                sets.Add(RuleSetNames.Heartbeat);
                break;
            case Acknowledgement:
                sets.Add(RuleSetNames.Acknowledgement);
                break;
        }
        return sets;
    }

    private static IEnumerable<string> LaunchRuleSets(Agreement agreement, bool includeLeadTime)
    {
        yield return RuleSetNames.Scope;
        if (agreement.Scope.OnlyTowardParty)
            yield return RuleSetNames.Direction;
        if (includeLeadTime)
            yield return RuleSetNames.LeadTime;
        if (agreement.Notification.MaximumWindow is not null)
            yield return RuleSetNames.WindowLength;
        yield return RuleSetNames.GroupLaunch;
        if (agreement.Notification.RequiredFields.Count > 0)
            yield return RuleSetNames.RequiredFields;
        if (agreement.Geography is not null)
            yield return RuleSetNames.Geography;
    }

    /// <summary>
    /// Selects the rules of one rule set. FluentValidation's own selector intersects each rule's sets with the wanted
    /// ones for every rule on every call (a set and an iterator per rule, a sixth of the rules' managed allocations);
    /// every rule here is in exactly one named set, so a look in its array says the same.
    /// </summary>
    private sealed class OneRuleSet(string name) : FluentValidation.Internal.IValidatorSelector
    {
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, OneRuleSet> Selectors = new(StringComparer.Ordinal);

        public static OneRuleSet Named(string name) => Selectors.GetOrAdd(name, n => new OneRuleSet(n));

        public bool CanExecute(IValidationRule rule, string propertyPath, IValidationContext context) =>
            rule.RuleSets is { } sets && Array.IndexOf(sets, name) >= 0;
    }
}
