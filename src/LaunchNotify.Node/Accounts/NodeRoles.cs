namespace LaunchNotify.Node.Accounts;

/// <summary>The roles an account may hold (docs/security.md has what each may do, endpoint by endpoint).</summary>
public static class NodeRoles
{
    /// <summary>Submits, amends, cancels and reports on this centre's notifications; sees the centre's traffic.</summary>
    public const string Operator = "operator";

    /// <summary>Acknowledges and resolves alarms, records observed launches.</summary>
    public const string DutyOfficer = "duty-officer";

    /// <summary>Reads everything (dashboard, reports, evidence, audit), changes nothing.</summary>
    public const string ComplianceOfficer = "compliance-officer";

    /// <summary>Manages accounts, keys and counterparts.</summary>
    public const string Administrator = "administrator";

    public static readonly IReadOnlyList<string> All = [Operator, DutyOfficer, ComplianceOfficer, Administrator];

    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);
}
