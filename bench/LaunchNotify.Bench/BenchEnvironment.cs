using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using LaunchNotify.Node.Broker;
using LaunchNotify.Storage;
using RabbitMQ.Client;

namespace LaunchNotify.Bench;

/// <summary>
/// The project-local broker and PostgreSQL the run talks to (same variables as the infra scripts:
/// LAUNCHNOTIFY_AMQP_PORT, LAUNCHNOTIFY_MANAGEMENT_PORT, LAUNCHNOTIFY_PG_PORT), and where the node binaries are.
/// </summary>
public sealed class BenchEnvironment : IDisposable
{
    public const string Host = "127.0.0.1";

    public required string RepoRoot { get; init; }
    public required string Configuration { get; init; }
    public required int AmqpPort { get; init; }
    public required BrokerAdminOptions Admin { get; init; }
    public required HttpClient Management { get; init; }
    public string? NodesRoot { get; init; }

    public static async Task<BenchEnvironment> OpenAsync(string? configuration, string? nodesRoot, CancellationToken ct)
    {
        var repo = FindRepoRoot();
        var amqpPort = Port("LAUNCHNOTIFY_AMQP_PORT", 5682);
        var managementPort = Port(BrokerAdminOptions.ManagementPortVariable, BrokerAdminOptions.DefaultManagementPort);
        if (!await BrokerProbe.IsReachableAsync(Host, amqpPort, null, ct) || !await AnswersAsync(managementPort, ct))
            await RunScriptAsync(repo, "infra/rabbitmq/start.sh", ct);
        await BrokerProbe.EnsureReachableAsync(Host, amqpPort, ct);

        var admin = BrokerAdminOptions.ForLocalBroker(repo);
        var management = new HttpClient { BaseAddress = admin.ManagementUri, Timeout = TimeSpan.FromSeconds(10) };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{admin.User}:{admin.Password}")));
        return new BenchEnvironment
        {
            RepoRoot = repo,
            Configuration = configuration ?? BuildConfiguration(),
            AmqpPort = amqpPort,
            Admin = admin,
            Management = management,
            NodesRoot = nodesRoot is null ? null : Path.GetFullPath(nodesRoot),
        };
    }

    public string NodeBinary(string project)
    {
        var dll = Path.Combine(NodesRoot ?? RepoRoot, "src", project, "bin", Configuration, "net10.0", project + ".dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException(
            $"{dll} is missing. Build first: dotnet build -c {Configuration} LaunchNotify.sln (dotnet run --project bench/LaunchNotify.Bench builds it).");
    }

    /// <summary>The administrator over AMQP (full rights in the vhost): floor queue, routing checks, purges.</summary>
    public Task<IConnection> ConnectAsAdminAsync(string name, CancellationToken ct) => ConnectAsync(Admin.User, Admin.Password, name, ct);

    public Task<IConnection> ConnectAsync(string user, string password, string name, CancellationToken ct) => new ConnectionFactory
    {
        HostName = Host,
        Port = AmqpPort,
        VirtualHost = BrokerTopology.VirtualHost,
        UserName = user,
        Password = password,
        AutomaticRecoveryEnabled = false,
        ClientProvidedName = name,
    }.CreateConnectionAsync(ct);

    /// <summary>A read-only connection to a node's SQLite store: reads a WAL snapshot, never blocks the node's writers.</summary>
    public static Microsoft.Data.Sqlite.SqliteConnection OpenReadOnly(string path)
    {
        var connection = new Microsoft.Data.Sqlite.SqliteConnection(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder
        {
            DataSource = path, Mode = Microsoft.Data.Sqlite.SqliteOpenMode.ReadOnly, Pooling = false,
        }.ToString());
        connection.Open();
        return connection;
    }

    public async Task<int> ConsumerCountAsync(string queue, CancellationToken ct)
    {
        var json = JsonNode.Parse(await Management.GetStringAsync(
            $"api/queues/{Uri.EscapeDataString(BrokerTopology.VirtualHost)}/{Uri.EscapeDataString(queue)}", ct));
        return json?["consumers"]?.GetValue<int>() ?? 0;
    }

    /// <summary>Messages in a queue, ready and unacknowledged (the management API's figure, a few seconds behind at most).</summary>
    public async Task<long> QueueMessagesAsync(string queue, CancellationToken ct)
    {
        var json = JsonNode.Parse(await Management.GetStringAsync(
            $"api/queues/{Uri.EscapeDataString(BrokerTopology.VirtualHost)}/{Uri.EscapeDataString(queue)}", ct));
        return (json?["messages_ready"]?.GetValue<long>() ?? 0) + (json?["messages_unacknowledged"]?.GetValue<long>() ?? 0);
    }

    /// <summary>Runs one of the project's infra scripts (e.g. infra/rabbitmq/start.sh); fails if it fails.</summary>
    public Task RunInfraScriptAsync(string script, CancellationToken ct) => RunScriptAsync(RepoRoot, script, ct);

    /// <summary>The broker's OS process, to charge it its share of CPU (its pid file is under .local/rabbitmq).</summary>
    public int? BrokerPid()
    {
        var file = Path.Combine(RepoRoot, ".local", "rabbitmq", "rabbitmq.pid");
        return File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), out var pid) && Directory.Exists($"/proc/{pid}") ? pid : null;
    }

    /// <summary>
    /// The project-local PostgreSQL's postmaster (its pid file under .local/postgres/data), to charge the server its share of
    /// CPU: the postmaster, its live backends and the backends it has reaped.
    /// </summary>
    public int? PostgresPid()
    {
        var file = Path.Combine(RepoRoot, ".local", "postgres", "data", "postmaster.pid");
        try
        {
            return File.Exists(file) && int.TryParse(File.ReadLines(file).FirstOrDefault()?.Trim(), out var pid) && Directory.Exists($"/proc/{pid}") ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The project-local PostgreSQL (started with infra/postgres/start.sh when it does not answer).</summary>
    public async Task<string> PostgresConnectionStringAsync(CancellationToken ct)
    {
        var port = Port("LAUNCHNOTIFY_PG_PORT", 5442);
        if (!await AnswersAsync(port, ct))
            await RunScriptAsync(RepoRoot, "infra/postgres/start.sh", ct);
        var password = Environment.GetEnvironmentVariable("LAUNCHNOTIFY_PG_PASSWORD");
        if (string.IsNullOrEmpty(password))
            password = (await File.ReadAllTextAsync(Path.Combine(RepoRoot, ".local", "postgres", "password"), ct)).Trim();
        return $"Host={Host};Port={port};Database=launchnotify;Username=launchnotify;Password={password}";
    }

    private static int Port(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), out var port) ? port : fallback;

    private static async Task<bool> AnswersAsync(int port, CancellationToken ct)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(Host, port, ct).AsTask().WaitAsync(TimeSpan.FromSeconds(2), ct);
            return true;
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            return false;
        }
    }

    private static async Task RunScriptAsync(string repo, string script, CancellationToken ct)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", [Path.Combine(repo, script)]) { UseShellExecute = false })
            ?? throw new InvalidOperationException($"Could not run {script}.");
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{script} exited {process.ExitCode}; the benchmark needs it running.");
    }

    private static string FindRepoRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "LaunchNotify.sln")))
                    return dir.FullName;
            }
        }
        throw new InvalidOperationException("Cannot find the repository (LaunchNotify.sln) above the current folder; run from inside the clone.");
    }

    /// <summary>The configuration this assembly was built in, so the node processes are of the same build.</summary>
    private static string BuildConfiguration()
    {
        var parts = AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var bin = Array.LastIndexOf(parts, "bin");
        return bin >= 0 && bin + 1 < parts.Length ? parts[bin + 1] : "Release";
    }

    public void Dispose() => Management.Dispose();
}
