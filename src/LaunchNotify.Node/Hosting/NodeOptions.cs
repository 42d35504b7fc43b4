using System.ComponentModel.DataAnnotations;

namespace LaunchNotify.Node.Hosting;

// Configuration section "LaunchNotify", bound with the options pattern and validated at start-up (NodeOptionsValidation):
// each property's attributes say what is allowed, and their ErrorMessage is printed after "key = 'value':".
// Every key, its default and its environment variable: docs/configuration.md; the shipped appsettings.json lists them.

public enum StoreMigrations
{
    /// <summary>The node creates or upgrades its store at start-up.</summary>
    OnStart,
    /// <summary>The node refuses a store that needs migrations: an operator runs <c>launchnotify store migrate</c>.</summary>
    Manual,
}

public sealed class NodeOptions
{
    public const string Section = "LaunchNotify";

    [Required(ErrorMessage = "required: this centre's code, two upper-case letters (US)")]
    [RegularExpression("^[A-Z]{2}$", ErrorMessage = "must be a centre code, two upper-case letters (US)")]
    public string? Centre { get; set; }

    [Required(ErrorMessage = "required: sqlite:PATH or postgres:CONNECTION-STRING")]
    [RegularExpression("^(?i)(sqlite:.+|postgres:.+)$", ErrorMessage = "must be sqlite:PATH or postgres:CONNECTION-STRING")]
    public string? Store { get; set; }

    [EnumDataType(typeof(StoreMigrations), ErrorMessage = "must be OnStart or Manual")]
    public StoreMigrations Migrations { get; set; } = StoreMigrations.OnStart;

    /// <summary>Look, don't touch: no writes to the store, no deadlines, no heartbeats, no dispatch (docs/operations.md).</summary>
    public bool ReadOnly { get; set; }

    [Required(ErrorMessage = "required: the folder with this centre's private key and the trusted public keys")]
    [ExistingDirectory]
    public string? KeysDirectory { get; set; }

    [ExistingDirectory]
    public string? AgreementsDirectory { get; set; }

    [Range(1024, 16 * 1024 * 1024, ErrorMessage = "must be a whole number of bytes from 1024 to 16777216")]
    public int MaxMessageBytes { get; set; } = 256 * 1024;

    /// <summary>The publisher's API (and health) address; the subscriber's health and metrics address is Subscriber:HttpUrl.</summary>
    [HttpUrl]
    public string HttpUrl { get; set; } = "http://127.0.0.1:5080";

    [ValidateMembers]
    public BrokerOptions Broker { get; set; } = new();

    [ValidateMembers]
    public TopologyOptions Topology { get; set; } = new();

    [ValidateMembers]
    public TimelinessOptions Timeliness { get; set; } = new();

    [ValidateMembers]
    public LaunchesOptions Launches { get; set; } = new();

    [ValidateMembers]
    public SubscriberOptions Subscriber { get; set; } = new();

    [ValidateMembers]
    public HealthOptions Health { get; set; } = new();

    [ValidateMembers]
    public TelemetryOptions Telemetry { get; set; } = new();

    [ValidateMembers]
    public RenderingOptions Rendering { get; set; } = new();
}

/// <summary>How the centre shows things to its people (docs/glossary.md); the wire stays language-free codes.</summary>
public sealed class RenderingOptions
{
    /// <summary>The glossary's language for the dashboard, the report and the CLI (each can override it).</summary>
    [Required(ErrorMessage = "required: en, zh, fr or ru")]
    [GlossaryLanguage]
    public string Language { get; set; } = "en";

    /// <summary>The zone local times are shown in: an id of the tz database (NodaTime's tzdb).</summary>
    [Required(ErrorMessage = "required: a tz database id such as Etc/UTC or Europe/Moscow")]
    [TzdbZone]
    public string TimeZone { get; set; } = "Etc/UTC";
}

public sealed class BrokerOptions
{
    [Required(ErrorMessage = "required: the broker's host name or address")]
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Also read from LAUNCHNOTIFY_AMQP_PORT, the scripts' variable (LaunchNotify__Broker__Port wins).</summary>
    [Range(1, 65535, ErrorMessage = "must be a TCP port, 1-65535")]
    public int Port { get; set; } = 5682;

    [Required(ErrorMessage = "required: the broker's virtual host")]
    public string VirtualHost { get; set; } = "launchnotify";

    /// <summary>Default: the centre code (the broker user provisioned for the centre).</summary>
    public string? User { get; set; }

    /// <summary>Every node of the centre's broker when it is a cluster, <c>host:port</c> comma-separated (Host and Port are then not used).</summary>
    [BrokerNodes]
    public string? ClusterNodes { get; set; }

    public string? Password { get; set; }

    [ExistingFile]
    public string? PasswordFile { get; set; }
}

/// <summary>Hub or federated, and for a federated centre how its links are watched (docs/deployment.md).</summary>
public sealed class TopologyOptions
{
    [EnumDataType(typeof(TopologyKind), ErrorMessage = "must be hub or federated (docs/deployment.md)")]
    public TopologyKind Kind { get; set; } = TopologyKind.Hub;

    [ValidateMembers]
    public ManagementOptions Management { get; set; } = new();

    /// <summary>How long a link may not forward (down, absent with a backlog, blocked) before LINK_SILENT.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00", ErrorMessage = "must be a TimeSpan from 00:00:01 to 7.00:00:00, such as 00:05:00")]
    public TimeSpan LinkSilentAfter { get; set; } = TimeSpan.FromMinutes(5);

    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "must be a TimeSpan from 00:00:00.100 to 00:10:00, such as 00:00:05")]
    public TimeSpan LinkPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a link may run blocked with messages in flight (unconfirmed) before its shovel is restarted.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "must be a TimeSpan from 00:00:01 to 1.00:00:00, such as 00:00:20")]
    public TimeSpan StalledLinkRestartAfter { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>At most this many restarts of one link per <see cref="StalledLinkRestartWindow"/>; 0: never restart.</summary>
    [Range(0, 100, ErrorMessage = "must be a whole number from 0 (never restart) to 100")]
    public int StalledLinkRestarts { get; set; } = 3;

    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00", ErrorMessage = "must be a TimeSpan from 00:00:01 to 7.00:00:00, such as 00:10:00")]
    public TimeSpan StalledLinkRestartWindow { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>The centre's own broker's management API, where a federated centre's link monitor reads its links.</summary>
public sealed class ManagementOptions
{
    /// <summary>The management API's URL; a cluster: every node's, comma-separated.</summary>
    [HttpUrlList]
    public string? Url { get; set; }

    /// <summary>A monitoring user of the centre's own broker (default launchnotify-admin).</summary>
    public string? User { get; set; }

    public string? Password { get; set; }

    [ExistingFile]
    public string? PasswordFile { get; set; }
}

public sealed class TimelinessOptions
{
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "must be a TimeSpan from 00:00:01 to 1.00:00:00 (or unset: the agreement's)")]
    public TimeSpan? HeartbeatInterval { get; set; }

    [Range(1, 1000, ErrorMessage = "must be a whole number from 1 to 1000 (or unset: the agreement's)")]
    public int? SilentAfterMissed { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00", ErrorMessage = "must be a TimeSpan from 00:00:01 to 30.00:00:00 (or unset: the agreement's)")]
    public TimeSpan? MissingGrace { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00", ErrorMessage = "must be a TimeSpan from 00:00:01 to 30.00:00:00 (or unset: the agreement's)")]
    public TimeSpan? ReceiptDeadline { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00", ErrorMessage = "must be a TimeSpan from 00:00:01 to 30.00:00:00 (or unset: the agreement's)")]
    public TimeSpan? AcknowledgementDeadline { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00", ErrorMessage = "must be a TimeSpan from 00:00:01 to 30.00:00:00 (or unset: the agreement's)")]
    public TimeSpan? AcknowledgementEscalation { get; set; }

    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00", ErrorMessage = "must be a TimeSpan from 00:00:00.010 to 00:01:00")]
    public TimeSpan WatchInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    [RegularExpression("^\\s*([A-Z]{2}\\s*(,\\s*[A-Z]{2}\\s*)*)?$", ErrorMessage = "must be centre codes separated by commas (RU,CN)")]
    public string? Counterparts { get; set; }

    [RegularExpression("^[a-z0-9][a-z0-9,\\- ]*$", ErrorMessage = "must be agreement ids separated by commas (us-ru-bmlna-1988,hcoc)")]
    public string? Agreements { get; set; }
}

public sealed class LaunchesOptions
{
    [Range(0.0, 20_000.0, ErrorMessage = "must be a number of km from 0 to 20000")]
    public double? ToleranceKm { get; set; }

    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00", ErrorMessage = "must be a TimeSpan from 00:00:00 to 30.00:00:00")]
    public TimeSpan? WindowTolerance { get; set; }
}

public sealed class SubscriberOptions
{
    /// <summary>Where the subscriber serves /health/live, /health/ready and /metrics. Port 0: any free port (logged).</summary>
    [HttpUrl]
    public string HttpUrl { get; set; } = "http://127.0.0.1:0";

    [Range(1, 10_000, ErrorMessage = "must be a whole number from 1 to 10000")]
    public int Prefetch { get; set; } = 32;
}

public sealed class HealthOptions
{
    /// <summary>Readiness fails when more outbox entries than this wait to be published.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "must be a whole number of entries, 1 or more")]
    public int OutboxBacklogThreshold { get; set; } = 1000;

    /// <summary>Readiness fails when the deadline watcher has not completed a pass for this long.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "must be a TimeSpan from 00:00:01 to 01:00:00")]
    public TimeSpan DeadlineWatcherLag { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class TelemetryOptions
{
    /// <summary>OTLP collector (http://host:4317 for gRPC, or :4318 with Protocol HttpProtobuf); unset: no export.</summary>
    [HttpUrl]
    public string? OtlpEndpoint { get; set; }

    [RegularExpression("^(Grpc|HttpProtobuf)$", ErrorMessage = "must be Grpc or HttpProtobuf")]
    public string OtlpProtocol { get; set; } = "Grpc";

    /// <summary>Serve /metrics in Prometheus' text format.</summary>
    public bool Prometheus { get; set; } = true;
}

/// <summary>Validate the properties of this nested options object too.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ValidateMembersAttribute : Attribute;

/// <summary>Unset, or a folder that exists.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ExistingDirectoryAttribute : ValidationAttribute
{
    public ExistingDirectoryAttribute() : base("must be an existing folder") { }
    public override bool IsValid(object? value) => value is not string { Length: > 0 } path || Directory.Exists(path);
}

/// <summary>Unset, or a file that exists.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ExistingFileAttribute : ValidationAttribute
{
    public ExistingFileAttribute() : base("must be an existing file") { }
    public override bool IsValid(object? value) => value is not string { Length: > 0 } path || File.Exists(path);
}

/// <summary>A language of the glossary: en, zh, fr or ru.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class GlossaryLanguageAttribute : ValidationAttribute
{
    public GlossaryLanguageAttribute() : base("must be a language of the glossary: en, zh, fr or ru") { }
    public override bool IsValid(object? value) => value is not string { Length: > 0 } text || Presentation.Languages.TryParse(text, out _);
}

/// <summary>A zone id of the tz database (as NodaTime's tzdb publishes it: Asia/Shanghai, Europe/Paris, Etc/UTC).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class TzdbZoneAttribute : ValidationAttribute
{
    public TzdbZoneAttribute() : base("must be a tz database zone id such as Etc/UTC, Europe/Moscow, Asia/Shanghai, Europe/Paris or America/New_York") { }
    public override bool IsValid(object? value) => value is not string { Length: > 0 } text || Presentation.Zones.Find(text) is not null;
}

/// <summary>Unset, or broker nodes as <c>host:port</c> separated by commas.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class BrokerNodesAttribute : ValidationAttribute
{
    public BrokerNodesAttribute() : base("must be the cluster's nodes as host:port (port 1-65535), comma-separated, e.g. 127.0.0.1:5682,127.0.0.1:5683") { }
    public override bool IsValid(object? value) =>
        value is not string { Length: > 0 } text || text.Split(',', StringSplitOptions.TrimEntries).All(node =>
        {
            var colon = node.LastIndexOf(':');
            return colon > 0 && int.TryParse(node[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
                   && port is >= 1 and <= 65535;
        });
}

/// <summary>Unset, or absolute http(s) URLs separated by commas.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class HttpUrlListAttribute : ValidationAttribute
{
    public HttpUrlListAttribute() : base("must be the management API's http(s) URL, e.g. http://127.0.0.1:15672/ (a cluster: every node's, comma-separated)") { }
    public override bool IsValid(object? value) =>
        value is not string { Length: > 0 } text || text.Split(',', StringSplitOptions.TrimEntries).All(url => new HttpUrlAttribute().IsValid(url) && url.Length > 0);
}

/// <summary>Unset, or an absolute http(s) URL.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class HttpUrlAttribute : ValidationAttribute
{
    public HttpUrlAttribute() : base("must be an absolute http(s) URL such as http://127.0.0.1:5080") { }
    public override bool IsValid(object? value) =>
        value is not string { Length: > 0 } text || Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
}
