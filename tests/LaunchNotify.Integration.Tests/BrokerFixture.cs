using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Broker;
using RabbitMQ.Client;

namespace LaunchNotify.Integration.Tests;

[CollectionDefinition(Name)]
public sealed class BrokerCollection : ICollectionFixture<BrokerFixture>
{
    public const string Name = "broker";
}

/// <summary>
/// The project-local RabbitMQ, started with infra/rabbitmq/start.sh when it is not reachable (a failure to start
/// fails every test of the collection), provisioned for five centres with passwords made for this run.
/// Ports follow LAUNCHNOTIFY_AMQP_PORT / LAUNCHNOTIFY_MANAGEMENT_PORT like the scripts (defaults 5682 / 15682).
/// </summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    public const string Host = "127.0.0.1";
    public static readonly CentreCode[] Centres = new[] { "US", "RU", "CN", "FR", "GB" }.Select(c => new CentreCode(c)).ToArray();

    public int AmqpPort { get; } = PortFromEnvironment("LAUNCHNOTIFY_AMQP_PORT", 5682);
    public int ManagementPort { get; } = PortFromEnvironment(BrokerAdminOptions.ManagementPortVariable, BrokerAdminOptions.DefaultManagementPort);
    public BrokerAdminOptions Admin { get; private set; } = null!;
    public IReadOnlyDictionary<CentreCode, CentreCredential> Credentials { get; private set; } = null!;
    public BrokerProvisioner Provisioner { get; private set; } = null!;
    public HttpClient Management { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!await BrokerProbe.IsReachableAsync(Host, AmqpPort) || !await BrokerProbe.IsReachableAsync(Host, ManagementPort))
            await InfraScript.RunAsync("infra/rabbitmq/start.sh", TimeSpan.FromMinutes(3));
        await BrokerProbe.EnsureReachableAsync(Host, AmqpPort);

        Admin = BrokerAdminOptions.ForLocalBroker(RepoPaths.Root);
        Credentials = Centres.ToDictionary(c => c, c => new CentreCredential(c, Convert.ToHexString(RandomNumberGenerator.GetBytes(16))));
        Provisioner = new BrokerProvisioner(Admin);
        await Provisioner.ProvisionAsync(Credentials.Values);

        Management = new HttpClient { BaseAddress = Admin.ManagementUri };
        Management.DefaultRequestHeaders.Authorization = new("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Admin.User}:{Admin.Password}")));
    }

    public Task DisposeAsync()
    {
        Provisioner?.Dispose();
        Management?.Dispose();
        return Task.CompletedTask;
    }

    public Task<IConnection> ConnectAsync(CentreCode centre) =>
        Factory(centre.Value, Credentials[centre].Password).CreateConnectionAsync($"integration-test-{centre}");

    /// <summary>The administrator over AMQP (full rights in the vhost): to purge and inspect queues.</summary>
    public Task<IConnection> ConnectAsAdminAsync() => Factory(Admin.User, Admin.Password).CreateConnectionAsync("integration-test-admin");

    public async Task PurgeAsync(params string[] queues)
    {
        await using var connection = await ConnectAsAdminAsync();
        await using var channel = await connection.CreateChannelAsync();
        foreach (var queue in queues)
            await channel.QueuePurgeAsync(queue);
    }

    public async Task<JsonElement> GetJsonAsync(string path) =>
        await Management.GetFromJsonAsync<JsonElement>(path);

    private ConnectionFactory Factory(string user, string password) => new()
    {
        HostName = Host,
        Port = AmqpPort,
        VirtualHost = BrokerTopology.VirtualHost,
        UserName = user,
        Password = password,
        AutomaticRecoveryEnabled = false,
    };

    private static int PortFromEnvironment(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), out var port) ? port : fallback;
}
