using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LaunchNotify.Node.Hosting;

/// <summary>A setting is missing or wrong: one line per problem, each naming the key, the value and what is allowed.</summary>
public sealed class SettingsException(IReadOnlyList<string> problems) : Exception(string.Join(Environment.NewLine, problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;

    /// <summary>Exit code of a deployable stopped by its configuration (sysexits' EX_CONFIG, which systemd knows).</summary>
    public const int ExitCode = 78;
}

/// <summary>
/// Binds <see cref="NodeOptions"/> from configuration and checks it: values that do not convert (a port of "abc"), then
/// each property's data annotations, then the rules across properties. Problems read
/// <c>LaunchNotify:Broker:Port = 'abc' (env LaunchNotify__Broker__Port): must be a TCP port, 1-65535</c>.
/// </summary>
public sealed class NodeOptionsValidation(IConfiguration configuration) : IValidateOptions<NodeOptions>
{
    /// <summary>The infra scripts' variables that the services read too (one set of names), and the key each sets.</summary>
    public static readonly IReadOnlyDictionary<string, string> ScriptVariables = new Dictionary<string, string>
    {
        ["LAUNCHNOTIFY_AMQP_PORT"] = "LaunchNotify:Broker:Port",
    };

    /// <summary>
    /// Adds the scripts' variables (<see cref="ScriptVariables"/>) just below the environment variables, so that
    /// <c>LaunchNotify__Broker__Port</c> still wins over <c>LAUNCHNOTIFY_AMQP_PORT</c>, which wins over appsettings.json.
    /// </summary>
    public static void AddScriptVariables(IConfigurationBuilder builder)
    {
        var values = ScriptVariables
            .Select(v => (v.Value, Environment.GetEnvironmentVariable(v.Key)))
            .Where(v => !string.IsNullOrEmpty(v.Item2))
            .ToDictionary(v => v.Item1, v => (string?)v.Item2);
        if (values.Count == 0)
            return;
        var source = new MemoryConfigurationSource { InitialData = values };
        var sources = builder.Sources;
        // The unprefixed environment source (WebApplication also has DOTNET_- and ASPNETCORE_-prefixed ones before appsettings.json).
        var environment = sources.ToList().FindLastIndex(s => s is Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationSource { Prefix: null or "" });
        if (environment < 0)
            sources.Add(source);
        else
            sources.Insert(environment, source);
    }

    /// <summary>Binds and checks; throws <see cref="SettingsException"/> with every problem found.</summary>
    public static NodeOptions BindAndValidate(IConfiguration configuration)
    {
        var section = configuration.GetSection(NodeOptions.Section);
        var unconvertible = ConversionProblems(section, typeof(NodeOptions)).ToList();
        // Values that do not convert are left out of the binding (the binder would throw), so every other problem is found too.
        var bad = unconvertible.Select(p => p.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var bindable = bad.Count == 0 ? configuration : new ConfigurationBuilder()
            .AddInMemoryCollection(configuration.AsEnumerable().Where(kv => !bad.Contains(kv.Key)))
            .Build();
        var options = new NodeOptions();
        bindable.GetSection(NodeOptions.Section).Bind(options);
        var problems = unconvertible.Select(p => p.Line)
            .Concat(new NodeOptionsValidation(configuration).Problems(options).Where(line => !bad.Any(key => line.StartsWith(key + " ", StringComparison.OrdinalIgnoreCase))))
            .ToList();
        if (problems.Count > 0)
            throw new SettingsException(problems);
        return options;
    }

    /// <summary>Registers the options pattern for the section, checked when the host starts (ValidateOnStart).</summary>
    public static IServiceCollection AddNodeOptions(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IValidateOptions<NodeOptions>>(new NodeOptionsValidation(configuration));
        services.AddOptions<NodeOptions>().Bind(configuration.GetSection(NodeOptions.Section)).ValidateOnStart();
        return services;
    }

    public ValidateOptionsResult Validate(string? name, NodeOptions options)
    {
        var problems = Problems(options).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private IEnumerable<string> Problems(NodeOptions options)
    {
        foreach (var problem in AnnotationProblems(options, NodeOptions.Section))
            yield return problem;
        if (string.IsNullOrEmpty(options.Broker.Password) && string.IsNullOrEmpty(options.Broker.PasswordFile))
            yield return Line("LaunchNotify:Broker:Password", "required: the centre's broker password, or LaunchNotify:Broker:PasswordFile naming a file that holds it");
        var topology = options.Topology;
        if (topology.Kind == TopologyKind.Federated && string.IsNullOrWhiteSpace(topology.Management.Url))
            yield return Line("LaunchNotify:Topology:Management:Url",
                "required when Topology:Kind is federated: the centre's own broker's management API, e.g. http://127.0.0.1:15672/ (a cluster: every node's, comma-separated; docs/deployment.md)");
        if (!string.IsNullOrWhiteSpace(topology.Management.Url) && string.IsNullOrEmpty(topology.Management.Password) && string.IsNullOrEmpty(topology.Management.PasswordFile))
            yield return Line("LaunchNotify:Topology:Management:Password",
                "required with Topology:Management:Url: the monitoring user's password, or Topology:Management:PasswordFile naming a file (0600) that holds it");
        // The dashboard's own user and password (HTTP Basic) were replaced by the node's accounts: a deployment that still
        // sets them expects a login that no longer exists, so it is told what to do instead of being silently ignored.
        if (RetiredDashboardKeys.FirstOrDefault(key => !string.IsNullOrEmpty(configuration[key])) is { } retired)
            yield return Line(retired, "is no longer read (nor any LaunchNotify:Dashboard setting): the dashboard signs in with the node's own accounts. " +
                "Remove it and give each compliance officer an account: launchnotify users add NAME --role compliance-officer (docs/security.md)");
    }

    /// <summary>Settings of the dashboard's former HTTP Basic login, refused at start-up.</summary>
    public static readonly IReadOnlyList<string> RetiredDashboardKeys = ["LaunchNotify:Dashboard:User", "LaunchNotify:Dashboard:Password", "LaunchNotify:Dashboard:PasswordFile"];

    private IEnumerable<string> AnnotationProblems(object target, string path)
    {
        foreach (var property in target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var key = $"{path}:{property.Name}";
            var value = property.GetValue(target);
            if (property.GetCustomAttribute<ValidateMembersAttribute>() is not null && value is not null)
            {
                foreach (var problem in AnnotationProblems(value, key))
                    yield return problem;
                continue;
            }
            var attributes = property.GetCustomAttributes<ValidationAttribute>().ToList();
            var results = new List<ValidationResult>();
            if (!Validator.TryValidateValue(value!, new ValidationContext(target) { MemberName = property.Name }, results, attributes))
                yield return Line(key, results[0].ErrorMessage ?? "is not allowed");
        }
    }

    private string Line(string key, string allowed) => Line(key, configuration[key], allowed);

    public static string Line(string key, string? value, string allowed)
    {
        var secret = key.Contains("Password", StringComparison.OrdinalIgnoreCase) || key.Contains("Secret", StringComparison.OrdinalIgnoreCase);
        var shown = value is null ? "(not set)" : secret && !key.EndsWith("File", StringComparison.Ordinal) ? "'***'" : $"'{value}'";
        var variables = string.Join(" or ", ScriptVariables.Where(v => v.Value == key).Select(v => v.Key).Prepend(key.Replace(":", "__", StringComparison.Ordinal)));
        return $"{key} = {shown} (env {variables}): {allowed}";
    }

    /// <summary>Values the binder could not convert, said the same way (the binder itself would throw without naming what is allowed).</summary>
    private static IEnumerable<(string Key, string Line)> ConversionProblems(IConfigurationSection section, Type type)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var child = section.GetSection(property.Name);
            if (property.GetCustomAttribute<ValidateMembersAttribute>() is not null)
            {
                foreach (var problem in ConversionProblems(child, property.PropertyType))
                    yield return problem;
                continue;
            }
            var target = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (target == typeof(string) || string.IsNullOrEmpty(child.Value))
                continue;
            bool converts;
            try
            {
                converts = TypeDescriptor.GetConverter(target).ConvertFromString(null, CultureInfo.InvariantCulture, child.Value) is not null
                           && (!target.IsEnum || Enum.IsDefined(target, Enum.Parse(target, child.Value, ignoreCase: true)));
            }
            catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException or OverflowException
                                          || e.InnerException is FormatException or OverflowException)
            {
                converts = false;
            }
            if (!converts)
                yield return (child.Path, Line(child.Path, child.Value, Allowed(property, target)));
        }
    }

    private static string Allowed(PropertyInfo property, Type target)
    {
        if (property.GetCustomAttribute<RangeAttribute>() is { ErrorMessage: { } range })
            return range;
        if (property.GetCustomAttribute<EnumDataTypeAttribute>() is { ErrorMessage: { } listed })
            return listed;
        if (target == typeof(bool))
            return "must be true or false";
        if (target.IsEnum)
            return $"must be one of {string.Join(", ", Enum.GetNames(target))}";
        return $"must be a {target.Name}";
    }
}
