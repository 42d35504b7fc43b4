using Microsoft.Extensions.Configuration;

namespace LaunchNotify.Node.Reports;

/// <summary>
/// Who may read the compliance dashboard: <c>LaunchNotify:Dashboard:User</c> with <c>Password</c> or <c>PasswordFile</c>.
/// Without both, the dashboard stays closed (it never serves without a login).
/// </summary>
public sealed record DashboardCredentials(string User, string Password)
{
    public static DashboardCredentials? From(IConfigurationSection section)
    {
        var user = section["User"];
        var password = section["Password"];
        if (string.IsNullOrEmpty(password) && section["PasswordFile"] is { Length: > 0 } file)
        {
            if (!File.Exists(file))
                throw new InvalidOperationException($"LaunchNotify:Dashboard:PasswordFile '{file}' does not exist; create it or set LaunchNotify:Dashboard:Password.");
            password = File.ReadAllText(file).Trim();
        }
        if (string.IsNullOrEmpty(user) && string.IsNullOrEmpty(password))
            return null;
        if (string.IsNullOrEmpty(user) || string.IsNullOrEmpty(password))
            throw new InvalidOperationException("The dashboard needs both LaunchNotify:Dashboard:User and LaunchNotify:Dashboard:Password (or PasswordFile).");
        return new DashboardCredentials(user, password);
    }

    public override string ToString() => $"{User} / ***";
}
