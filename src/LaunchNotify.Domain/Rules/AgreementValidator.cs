using System.Collections.Immutable;
using System.Globalization;
using FluentValidation;
using FluentValidation.Results;
using LaunchNotify.Domain.Validation;
using NodaTime;

namespace LaunchNotify.Domain.Rules;

/// <summary>
/// The agreements' rules as FluentValidation rule sets over a <see cref="RuleContext"/>, one named rule set per concern
/// (<see cref="RuleSetNames"/>). Which rule sets apply to a message is decided by <see cref="AgreementRules.RuleSetsFor"/>
/// from the message kind and the agreement's parameters. A failure's <c>PropertyName</c> is the JSON Pointer of the
/// offending value; <see cref="Severity.Error"/> refuses the message, <see cref="Severity.Warning"/> is a finding.
/// </summary>
public sealed partial class AgreementValidator : AbstractValidator<RuleContext>
{
    public AgreementValidator()
    {
        RuleSet(RuleSetNames.Parties, () =>
        {
            RuleFor(c => c.Message.Sender)
                .Must((c, sender) => c.Agreement.IsParty(sender))
                .WithErrorCode(RuleCodes.SenderNotParty)
                .OverridePropertyName("/sender")
                .WithMessage(c => $"Centre {c.Message.Sender} is not a party to {c.Agreement.Id}, whose parties are {List(c.Agreement.Parties)}.")
                .WithState(c => A(("sender", c.Message.Sender.ToString()), ("agreement", c.Agreement.Id.ToString()), ("parties", List(c.Agreement.Parties))));
            RuleFor(c => c.Message.Sender)
                .Must((c, sender) => sender == c.EvaluatingCentre)
                .When(c => c.IsSender)
                .WithErrorCode(RuleCodes.SenderNotThisCentre)
                .OverridePropertyName("/sender")
                .WithMessage(c => $"This is centre {c.EvaluatingCentre}; it cannot send a message as {c.Message.Sender}.")
                .WithState(c => A(("centre", c.EvaluatingCentre.ToString()), ("sender", c.Message.Sender.ToString())));
        });
        Check(RuleSetNames.Parties, Recipients);

        Check(RuleSetNames.Scope, Scope);
        Check(RuleSetNames.Direction, Direction);
        Check(RuleSetNames.LeadTime, LeadTime);
        Check(RuleSetNames.WindowLength, WindowLength);
        Check(RuleSetNames.GroupLaunch, GroupLaunch);
        Check(RuleSetNames.RequiredFields, RequiredFields);
        Check(RuleSetNames.Geography, Geography);
        Check(RuleSetNames.Amendment, Amendment);
        Check(RuleSetNames.Cancellation, Cancellation);
        Check(RuleSetNames.PostLaunch, PostLaunch);
        Check(RuleSetNames.Receipt, Receipt);
        Check(RuleSetNames.Heartbeat, Heartbeat);
        Check(RuleSetNames.Acknowledgement, Acknowledgement);
    }

    /// <summary>A rule set whose rule reports any number of failures, each with its own code, pointer and severity.</summary>
    private void Check(string ruleSet, Action<RuleContext, Report> check) =>
        RuleSet(ruleSet, () => RuleFor(c => c.Message).Custom((_, vc) => check(vc.InstanceToValidate, new Report(vc))));

    private static void Recipients(RuleContext c, Report report)
    {
        var recipients = c.Message.Recipients;
        if (recipients.Count == 0)
        {
            report.Error(RuleCodes.NoRecipients, "/recipients", "The message names no recipient.", RuleArgs.None);
            return;
        }
        var seen = new HashSet<Values.CentreCode>();
        for (var i = 0; i < recipients.Count; i++)
        {
            var centre = recipients[i].Centre;
            var path = $"/recipients/{i}/centre";
            if (!seen.Add(centre))
                report.Error(RuleCodes.RecipientDuplicate, path, $"Centre {centre} is named more than once among the recipients.", A(("centre", centre.ToString())));
            else if (centre == c.Message.Sender)
                report.Error(RuleCodes.RecipientIsSender, path, $"Centre {centre} sends this message; it cannot also be a recipient.", A(("centre", centre.ToString())));
            else if (!c.Agreement.IsParty(centre))
                report.Error(RuleCodes.RecipientNotParty, path, $"Recipient {centre} is not a party to {c.Agreement.Id}, whose parties are {List(c.Agreement.Parties)}.",
                    A(("centre", centre.ToString()), ("agreement", c.Agreement.Id.ToString()), ("parties", List(c.Agreement.Parties))));
        }
        if (c.Side == EvaluatingSide.Receiver && !seen.Contains(c.EvaluatingCentre))
            report.Error(RuleCodes.NotAddressedToThisCentre, "/recipients", $"The message is not addressed to this centre ({c.EvaluatingCentre}).",
                A(("centre", c.EvaluatingCentre.ToString())));
    }

    private static string List<T>(IEnumerable<T> items) => string.Join(", ", items);

    private static ImmutableSortedDictionary<string, string> A(params (string Name, string Value)[] args) => RuleArgs.Of(args);

    internal static string Km(double km) => km.ToString("0.##", CultureInfo.InvariantCulture) + " km";

    internal static string Deg(double deg) => deg.ToString("0.#", CultureInfo.InvariantCulture) + "°";

    internal static string At(Instant instant) => instant.ToString("uuuu-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// Adds failures with a code, a JSON Pointer, a severity, the English sentence and its figures as language-free
    /// arguments (<see cref="RuleArgs"/>, carried as the failure's custom state) to the running validation.
    /// </summary>
    private readonly struct Report(ValidationContext<RuleContext> context)
    {
        public void Error(string code, string path, string message, ImmutableSortedDictionary<string, string> args) =>
            Add(code, path, message, args, Severity.Error);

        public void Finding(string code, string path, string message, ImmutableSortedDictionary<string, string> args) =>
            Add(code, path, message, args, Severity.Warning);

        /// <summary>An error when the sender evaluates, a finding when the receiver does (it cannot undo what was sent).</summary>
        public void ErrorForSender(string code, string path, string message, ImmutableSortedDictionary<string, string> args) =>
            Add(code, path, message, args, context.InstanceToValidate.IsSender ? Severity.Error : Severity.Warning);

        private void Add(string code, string path, string message, ImmutableSortedDictionary<string, string> args, Severity severity) =>
            context.AddFailure(new ValidationFailure(path, message) { ErrorCode = code, Severity = severity, CustomState = args });
    }
}
