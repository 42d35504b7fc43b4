namespace LaunchNotify.Node.Broker;

/// <summary>How to reach the broker's management HTTP API as its administrator (for provisioning only).</summary>
public sealed record BrokerAdminOptions(Uri ManagementUri, string User, string Password)
{
    public const string DefaultUser = "launchnotify-admin";
    public const string PasswordVariable = "LAUNCHNOTIFY_BROKER_ADMIN_PASSWORD";
    public const string ManagementPortVariable = "LAUNCHNOTIFY_MANAGEMENT_PORT";
    public const int DefaultManagementPort = 15682;

    public static Uri DefaultManagementUri => new($"http://127.0.0.1:{DefaultManagementPort}/");

    /// <summary>
    /// The project-local broker's administrator as <c>infra/rabbitmq/start.sh</c> made it: the password from
    /// <c>LAUNCHNOTIFY_BROKER_ADMIN_PASSWORD</c>, else from <c>.local/rabbitmq/admin-password</c> under
    /// <paramref name="repoRoot"/>; the port from <c>LAUNCHNOTIFY_MANAGEMENT_PORT</c>, else 15682.
    /// </summary>
    public static BrokerAdminOptions ForLocalBroker(string repoRoot)
    {
        var port = int.TryParse(Environment.GetEnvironmentVariable(ManagementPortVariable), out var p) ? p : DefaultManagementPort;
        var password = Environment.GetEnvironmentVariable(PasswordVariable);
        if (string.IsNullOrEmpty(password))
        {
            var file = Path.Combine(repoRoot, ".local", "rabbitmq", "admin-password");
            if (!File.Exists(file))
                throw new InvalidOperationException(
                    $"No broker admin password: set {PasswordVariable} or start the local broker with infra/rabbitmq/start.sh (it writes {file}).");
            password = File.ReadAllText(file).Trim();
        }
        return new BrokerAdminOptions(new Uri($"http://127.0.0.1:{port}/"), DefaultUser, password);
    }

    public override string ToString() => $"{User}@{ManagementUri}";
}

/// <summary>A centre's broker user: its name is the centre code, its password comes from configuration.</summary>
public sealed record CentreCredential(Domain.Values.CentreCode Centre, string Password)
{
    public override string ToString() => Centre.ToString(); // never the password
}
