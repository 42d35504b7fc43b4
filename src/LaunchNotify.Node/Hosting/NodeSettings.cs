using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Node.Timeliness;
using LaunchNotify.Storage;
using Microsoft.Extensions.Configuration;
using NodaTime;

namespace LaunchNotify.Node.Hosting;

/// <summary>
/// One centre node's configuration (section <c>LaunchNotify</c>; environment variables <c>LaunchNotify__Centre</c>
/// etc.). Secrets come from configuration or files beside it, never from code.
/// </summary>
public sealed record NodeSettings
{
    public required CentreCode Centre { get; init; }

    /// <summary><c>sqlite:PATH</c> or <c>postgres:CONNECTION-STRING</c>.</summary>
    public required StorageOptions Store { get; init; }

    public required BrokerConnection Broker { get; init; }

    /// <summary>The folder with this centre's private key and the trusted public keys (see docs/signing.md).</summary>
    public required string KeysDirectory { get; init; }

    /// <summary>Agreement files to load instead of the reference set shipped in the binary.</summary>
    public string? AgreementsDirectory { get; init; }

    public int MaxMessageBytes { get; init; } = 256 * 1024;

    /// <summary>Where the publisher's HTTP API listens (loopback).</summary>
    public string HttpUrl { get; init; } = "http://127.0.0.1:5080";

    /// <summary>Heartbeats, deadline watching and overrides of the agreements' deadlines (docs/timeliness.md).</summary>
    public TimelinessSettings Timeliness { get; init; } = new();

    /// <summary>Hub (centres share one broker) or federated (each centre its own broker, linked): docs/deployment.md.</summary>
    public TopologySettings Topology { get; init; } = new();

    public NodeIdentity Identity => new(Centre) { MaxMessageBytes = MaxMessageBytes };

    /// <summary>Start-up migrations (OnStart) or an operator's <c>launchnotify store migrate</c> (Manual).</summary>
    public StoreMigrations Migrations { get; init; } = StoreMigrations.OnStart;

    /// <summary>Look, don't touch: no store writes, no deadlines, no heartbeats, no dispatch (docs/operations.md).</summary>
    public bool ReadOnly { get; init; }

    public HealthOptions Health { get; init; } = new();
    public TelemetryOptions Telemetry { get; init; } = new();
    public SubscriberOptions Subscriber { get; init; } = new();

    /// <summary>The centre's language and time zone for what people read (docs/glossary.md).</summary>
    public RenderingSettings Rendering { get; init; } = RenderingSettings.Default;

    /// <summary>
    /// Binds and validates section <c>LaunchNotify</c> (<see cref="NodeOptionsValidation"/>); a wrong or missing setting
    /// throws <see cref="SettingsException"/> whose lines name the key, the value and what is allowed.
    /// </summary>
    public static NodeSettings From(IConfiguration configuration)
    {
        var o = NodeOptionsValidation.BindAndValidate(configuration);
        var centre = new CentreCode(o.Centre!);
        var password = !string.IsNullOrEmpty(o.Broker.Password) ? o.Broker.Password : ReadSecretFile(o.Broker.PasswordFile!, "LaunchNotify:Broker:PasswordFile");
        if (password.Length == 0)
            throw new SettingsException([NodeOptionsValidation.Line("LaunchNotify:Broker:PasswordFile", o.Broker.PasswordFile, "the file is empty: write the centre's broker password in it")]);
        static Duration? Span(TimeSpan? t) => t is { } value ? Duration.FromTimeSpan(value) : null;
        static IReadOnlyList<string> List(string? text) => (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

        return new NodeSettings
        {
            Centre = centre,
            Store = StorageOptions.Parse(o.Store!),
            Broker = new BrokerConnection(o.Broker.Host, o.Broker.Port, o.Broker.VirtualHost, o.Broker.User is { Length: > 0 } user ? user : centre.Value, password)
            {
                ClusterNodes = [.. List(o.Broker.ClusterNodes)],
            },
            KeysDirectory = o.KeysDirectory!,
            AgreementsDirectory = o.AgreementsDirectory is { Length: > 0 } agreements ? agreements : null,
            MaxMessageBytes = o.MaxMessageBytes,
            HttpUrl = o.HttpUrl,
            Timeliness = new TimelinessSettings
            {
                HeartbeatInterval = Span(o.Timeliness.HeartbeatInterval),
                SilentAfterMissed = o.Timeliness.SilentAfterMissed,
                MissingGrace = Span(o.Timeliness.MissingGrace),
                ReceiptDeadline = Span(o.Timeliness.ReceiptDeadline),
                AcknowledgementDeadline = Span(o.Timeliness.AcknowledgementDeadline),
                AcknowledgementEscalation = Span(o.Timeliness.AcknowledgementEscalation),
                WatchInterval = o.Timeliness.WatchInterval,
                Counterparts = [.. List(o.Timeliness.Counterparts).Select(c => new CentreCode(c))],
                Agreements = o.Timeliness.Agreements is { Length: > 0 } ? [.. List(o.Timeliness.Agreements).Select(a => new AgreementId(a))] : null,
            },
            Migrations = o.Migrations,
            ReadOnly = o.ReadOnly,
            Health = o.Health,
            Telemetry = o.Telemetry,
            Subscriber = o.Subscriber,
            Rendering = RenderingSettings.From(o.Rendering),
            Topology = TopologySettings.From(o.Topology, ManagementPassword(o.Topology.Management)),
        };
    }

    private static string? ManagementPassword(ManagementOptions management)
    {
        if (management.Password is { Length: > 0 } password)
            return password;
        if (management.PasswordFile is not { Length: > 0 } file)
            return null;
        var read = ReadSecretFile(file, "LaunchNotify:Topology:Management:PasswordFile");
        return read.Length > 0 ? read
            : throw new SettingsException([NodeOptionsValidation.Line("LaunchNotify:Topology:Management:PasswordFile", file, "the file is empty: write the monitoring user's password in it")]);
    }

    /// <summary>A secret from a file that only its owner may read (0600); anything else stops the node, saying how to fix it.</summary>
    private static string ReadSecretFile(string path, string key)
    {
        try
        {
            return Accounts.SecretFile.ReadOwnerOnly(path, key);
        }
        catch (Accounts.SecretFileException e)
        {
            throw new SettingsException([NodeOptionsValidation.Line(key, path, e.Message)]);
        }
    }
}

/// <summary>The validated <see cref="RenderingOptions"/>: a glossary language and a tzdb zone.</summary>
public sealed record RenderingSettings(Presentation.Language Language, DateTimeZone Zone)
{
    public static RenderingSettings Default { get; } = new(Presentation.Language.En, Presentation.Zones.Utc);

    /// <summary>From options that passed validation (a language the glossary has, a zone tzdb has).</summary>
    public static RenderingSettings From(RenderingOptions options) =>
        Presentation.Languages.TryParse(options.Language, out var language) && Presentation.Zones.Find(options.TimeZone) is { } zone
            ? new RenderingSettings(language, zone)
            : throw new SettingsException([NodeOptionsValidation.Line("LaunchNotify:Rendering", $"{options.Language}, {options.TimeZone}", "not a glossary language and tzdb zone")]);
}
