using System.CommandLine;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Broker;
using Spectre.Console;

namespace LaunchNotify.Cli.Commands;

/// <summary>
/// <c>launchnotify broker provision --centre XX [--centre YY …] [--password-file F] [--management-url URL]</c>: the
/// vhost, exchanges, queues and centre users through <see cref="BrokerProvisioner"/>. Idempotent: a second run changes
/// nothing but passwords and permissions, which it sets to what it is given.
/// </summary>
public static class BrokerCommand
{
    /// <summary>Each centre's broker password when no password file gives it: <c>LAUNCHNOTIFY_BROKER_PASSWORD_US</c>, ….</summary>
    public const string PasswordVariablePrefix = "LAUNCHNOTIFY_BROKER_PASSWORD_";

    public static Command Create()
    {
        var centres = new Option<string[]>("--centre")
        {
            Description = "A centre to provision (repeat for several), e.g. --centre US --centre RU.",
            Required = true,
        };
        var passwordFile = new Option<FileInfo?>("--password-file")
        {
            Description = $"Centre passwords, one 'CC=password' line each (for a single --centre, a file holding only its password, " +
                $"like a node's Broker:PasswordFile). Centres it does not list take ${PasswordVariablePrefix}<CC>.",
        };
        var managementUrl = new Option<Uri?>("--management-url")
        {
            Description = $"The RabbitMQ management API (default: the local broker of infra/rabbitmq/start.sh). " +
                $"The administrator's password comes from ${BrokerAdminOptions.PasswordVariable} or .local/rabbitmq/admin-password.",
            CustomParser = CommonOptions.HttpUrl,
        };
        var provision = new Command("provision", "Make the exchange's vhost, exchanges, inbox and parking queues and a broker user per centre (idempotent).")
        {
            centres, passwordFile, managementUrl,
        };
        provision.SetAction((parse, ct) => CommonOptions.Guard(() =>
            ProvisionAsync(parse.GetValue(centres) ?? [], parse.GetValue(passwordFile), parse.GetValue(managementUrl), ct)));
        return new Command("broker", "Set up the RabbitMQ broker the centres exchange through.") { provision };
    }

    private static async Task<int> ProvisionAsync(string[] codes, FileInfo? passwordFile, Uri? managementUrl, CancellationToken ct)
    {
        var invalid = codes.Where(c => !CentreCode.IsValid(c)).ToList();
        if (invalid.Count > 0)
            throw new CliException($"Not a centre code: {string.Join(", ", invalid)}. A centre code is two upper-case letters, e.g. US.");
        var centres = codes.Distinct().Select(c => new CentreCode(c)).ToList();
        var credentials = ReadPasswords(centres, passwordFile);
        var admin = Administrator(managementUrl);

        using var provisioner = new BrokerProvisioner(admin);
        try
        {
            await provisioner.ProvisionAsync(credentials, ct);
        }
        catch (BrokerUnavailableException e)
        {
            throw new CliException($"RabbitMQ is not running or not reachable at {admin.ManagementUri}: run infra/rabbitmq/start.sh " +
                $"(or give --management-url of a running broker). ({e.InnerException?.Message ?? e.Message})");
        }
        catch (BrokerProvisioningException e)
        {
            throw new CliException(e.Message);
        }

        var console = AnsiConsole.Console;
        console.MarkupLine($"[green]✓[/] broker {Markup.Escape(admin.ManagementUri.ToString())}: vhost {BrokerTopology.VirtualHost}, " +
            $"exchanges {BrokerTopology.Exchange}, {BrokerTopology.ParkingExchange}, {BrokerTopology.AlarmExchange}");
        foreach (var c in credentials)
            console.MarkupLine($"[green]✓[/] centre {c.Centre}: inbox {BrokerTopology.InboxQueue(c.Centre)}, parked {BrokerTopology.ParkedQueue(c.Centre)}, " +
                $"broker user {c.Centre} with its password set (not shown)");
        return ExitCodes.Ok;
    }

    /// <summary>The password file first, then the environment; every centre needs one, and none is ever printed.</summary>
    private static List<CentreCredential> ReadPasswords(IReadOnlyList<CentreCode> centres, FileInfo? passwordFile)
    {
        var fromFile = passwordFile is null ? new Dictionary<string, string>() : ReadPasswordFile(passwordFile, centres);
        var credentials = new List<CentreCredential>();
        var missing = new List<string>();
        foreach (var centre in centres)
        {
            var password = fromFile.GetValueOrDefault(centre.Value) is { Length: > 0 } p ? p
                : Environment.GetEnvironmentVariable(PasswordVariablePrefix + centre.Value) is { Length: > 0 } v ? v : null;
            if (password is null)
                missing.Add(centre.Value);
            else
                credentials.Add(new CentreCredential(centre, password));
        }
        if (missing.Count > 0)
            throw new CliException($"No broker password for {string.Join(", ", missing)}: " +
                $"give --password-file with a 'CC=password' line per centre, or set {string.Join(", ", missing.Select(m => PasswordVariablePrefix + m))}.");
        return credentials;
    }

    private static Dictionary<string, string> ReadPasswordFile(FileInfo file, IReadOnlyList<CentreCode> centres)
    {
        if (!file.Exists)
            throw new CliException($"No such password file: {file.FullName}");
        try
        {
            Protocol.Signing.SecretFiles.RequireOwnerOnly(file.FullName, "The password file");
        }
        catch (Protocol.Signing.KeyStoreException e)
        {
            throw new CliException(e.Message);
        }
        var lines = File.ReadAllLines(file.FullName).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        if (lines.Count == 1 && !lines[0].Contains('=') && centres.Count == 1)
            return new Dictionary<string, string> { [centres[0].Value] = lines[0] };

        var passwords = new Dictionary<string, string>();
        foreach (var (line, index) in lines.Select((l, i) => (l, i)))
        {
            var separator = line.IndexOf('=');
            var centre = separator > 0 ? line[..separator].Trim() : "";
            if (!CentreCode.IsValid(centre))
                throw new CliException($"{file.FullName}, entry {index + 1}: expected 'CC=password' with a centre code such as US " +
                    "(a file holding only a password works for a single --centre).");
            if (!passwords.TryAdd(centre, line[(separator + 1)..].Trim()))
                throw new CliException($"{file.FullName}: centre {centre} is listed twice; keep one line per centre.");
        }
        return passwords;
    }

    private static BrokerAdminOptions Administrator(Uri? managementUrl)
    {
        if (managementUrl is null)
            return LocalAdministrator();

        var url = managementUrl.AbsoluteUri.EndsWith('/') ? managementUrl : new Uri(managementUrl.AbsoluteUri + "/");
        var password = Environment.GetEnvironmentVariable(BrokerAdminOptions.PasswordVariable);
        if (string.IsNullOrEmpty(password))
        {
            try
            {
                password = LocalAdministrator().Password;
            }
            catch (CliException)
            {
                throw new CliException($"No administrator password for {url}: set {BrokerAdminOptions.PasswordVariable}.");
            }
        }
        return new BrokerAdminOptions(url, BrokerAdminOptions.DefaultUser, password);
    }

    private static BrokerAdminOptions LocalAdministrator()
    {
        try
        {
            return BrokerAdminOptions.ForLocalBroker(RepoRoot.Find());
        }
        catch (InvalidOperationException e)
        {
            throw new CliException(e.Message);
        }
    }
}
