using System.Reflection;
using System.Text.Json.Nodes;
using LaunchNotify.Domain.Rules;

namespace LaunchNotify.Protocol.Tests;

/// <summary>
/// The shipped example receipts teach a counterpart what reasons look like: every code must be one the rules
/// produce (docs/rules.md, <see cref="RuleCodes"/>) and every rule <c>&lt;agreement&gt;/&lt;RuleSet&gt;</c> with a real rule
/// set, or a node check (<c>node/…</c>).
/// </summary>
public class ExampleReceiptCodesTests
{
    private static readonly HashSet<string> Codes = Constants(typeof(RuleCodes));
    private static readonly HashSet<string> RuleSets = Constants(typeof(RuleSetNames));

    public static TheoryData<string> ExampleReceipts() =>
        new(Directory.GetFiles(Path.Combine(RepoPaths.Root, "schemas", "examples", "valid"), "receipt-*.json").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(ExampleReceipts))]
    public void ExampleReceipt_ReasonsAndFindings_UseTheRulesCodesAndRuleSets(string file)
    {
        var document = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "schemas", "examples", "valid", file)))!["document"]!;
        var agreement = (string)document["agreementId"]!;
        var items = (document["reasons"]?.AsArray() ?? []).Concat(document["findings"]?.AsArray() ?? []).ToList();

        foreach (var item in items)
        {
            var (code, rule) = ((string)item!["code"]!, (string)item["rule"]!);
            if (rule.StartsWith("node/", StringComparison.Ordinal))
                continue;
            Assert.True(Codes.Contains(code), $"{file}: code {code} is not one the rules produce (RuleCodes, docs/rules.md).");
            var parts = rule.Split('/');
            Assert.True(parts.Length == 2 && parts[0] == agreement && RuleSets.Contains(parts[1]),
                $"{file}: rule '{rule}' is not '{agreement}/<RuleSet>' with one of {string.Join(", ", RuleSets)}.");
        }
    }

    private static HashSet<string> Constants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToHashSet();
}
