using LaunchNotify.Node.Accounts;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;

namespace LaunchNotify.Publisher.Security;

/// <summary>
/// Who may call what: one named policy per kind of act, each a set of roles (docs/security.md has the table). Every
/// endpoint names one; a test walks the app's endpoints and fails on any that does not.
/// </summary>
public static class ApiPolicies
{
    /// <summary>Submit, amend, cancel, post-launch reports.</summary>
    public const string Submit = "submit";

    /// <summary>The centre's traffic and alarms, read-only.</summary>
    public const string ReadTraffic = "read-traffic";

    /// <summary>Acknowledge and resolve alarms.</summary>
    public const string ActOnAlarms = "act-on-alarms";

    /// <summary>Acknowledge received notices (a person has read them).</summary>
    public const string AcknowledgeNotices = "acknowledge-notices";

    /// <summary>Record observed launches.</summary>
    public const string RecordLaunches = "record-launches";

    /// <summary>Evidence, the dashboard, reports, audit.</summary>
    public const string Compliance = "compliance";

    /// <summary>Accounts, keys, counterparts.</summary>
    public const string Administer = "administer";

    /// <summary>The compliance dashboard: the compliance roles, signed in with the dashboard's cookie or a bearer token.</summary>
    public const string Dashboard = "dashboard";

    /// <summary>The duty page (/dashboard/duty) and its live updates: the roles that read traffic, signed in with the cookie or a token.</summary>
    public const string DutyDesk = "duty-desk";

    /// <summary>Acknowledge and resolve alarms from the duty page's forms: the same roles as <see cref="ActOnAlarms"/>, cookie or token.</summary>
    public const string DutyActions = "duty-actions";

    /// <summary>Acknowledge received notices from the duty page's waiting panel: the same roles as <see cref="AcknowledgeNotices"/>, cookie or token.</summary>
    public const string DutyAcknowledgeNotices = "duty-acknowledge-notices";

    /// <summary>Signing out of the dashboard's pages: anyone who may open one of them.</summary>
    public const string DashboardSession = "dashboard-session";

    /// <summary>Any account with a role (who am I, the API description).</summary>
    public const string AnyRole = LaunchNotify.Node.Security.NodeBearer.AnyRolePolicy;

    /// <summary>The roles each policy lets in.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Roles = new Dictionary<string, string[]>
    {
        [Submit] = [NodeRoles.Operator],
        [ReadTraffic] = [NodeRoles.Operator, NodeRoles.DutyOfficer, NodeRoles.ComplianceOfficer],
        [ActOnAlarms] = [NodeRoles.DutyOfficer],
        [AcknowledgeNotices] = [NodeRoles.DutyOfficer],
        [RecordLaunches] = [NodeRoles.DutyOfficer],
        [Compliance] = [NodeRoles.ComplianceOfficer],
        [Administer] = [NodeRoles.Administrator],
        [Dashboard] = [NodeRoles.ComplianceOfficer],
        [DutyDesk] = [NodeRoles.Operator, NodeRoles.DutyOfficer, NodeRoles.ComplianceOfficer],
        [DutyActions] = [NodeRoles.DutyOfficer],
        [DutyAcknowledgeNotices] = [NodeRoles.DutyOfficer],
        [DashboardSession] = [NodeRoles.Operator, NodeRoles.DutyOfficer, NodeRoles.ComplianceOfficer],
        [AnyRole] = [.. NodeRoles.All],
    };

    /// <summary>The policies of pages for browsers, which take the dashboard's sign-in cookie as well as a bearer token.</summary>
    public static readonly IReadOnlySet<string> PagePolicies = new HashSet<string> { Dashboard, DutyDesk, DutyActions, DutyAcknowledgeNotices, DashboardSession };

    public static void Add(AuthorizationOptions options)
    {
        // The API takes bearer tokens only (a cookie there would let another site's page act for a signed-in officer);
        // the dashboard takes its cookie too, challenged last so a browser without one is sent to the login page.
        foreach (var (name, roles) in Roles)
            options.AddPolicy(name, p => p
                .AddAuthenticationSchemes(PagePolicies.Contains(name)
                    ? [JwtBearerDefaults.AuthenticationScheme, DashboardLogin.Scheme]
                    : [JwtBearerDefaults.AuthenticationScheme])
                .RequireAuthenticatedUser()
                .RequireRole(roles));
        // An endpoint mapped without a policy still needs a signed-in caller (and fails the endpoint × role test).
        options.FallbackPolicy = new AuthorizationPolicyBuilder(JwtBearerDefaults.AuthenticationScheme).RequireAuthenticatedUser().Build();
    }
}
