using LaunchNotify.Tests.Shared;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Broker;
using RabbitMQ.Client;

namespace LaunchNotify.Integration.Tests.Exchange;

/// <summary><c>launchnotify broker provision</c> against the project-local broker, run as the built CLI.</summary>
[Collection(BrokerCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BrokerCommandTests(BrokerFixture broker) : IAsyncLifetime
{
    // User-assigned ISO codes: never a real centre, never one of the fixture's.
    private static readonly CentreCode Xa = new("XA"), Xb = new("XB"), Xc = new("XC");
    private readonly string _folder = Directory.CreateTempSubdirectory("launchnotify-cli-").FullName;

    [Fact]
    public async Task Provision_TwiceWithPasswordsFromFileAndEnvironment_SucceedsBothTimesAndNeverPrintsThem()
    {
        var xaPassword = NewPassword();
        var xbPassword = NewPassword();
        var file = Path.Combine(_folder, "passwords");
        await File.WriteAllTextAsync(file, $"# broker passwords\nXA={xaPassword}\n");
        var environment = new Dictionary<string, string?> { [$"LAUNCHNOTIFY_BROKER_PASSWORD_XB"] = xbPassword };
        string[] arguments = ["broker", "provision", "--centre", "XA", "--centre", "XB", "--password-file", file];

        // A password file others may read is refused before anything is read or sent.
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var wide = await CliProcess.RunAsync(arguments, TimeSpan.FromSeconds(60), environment);
        Assert.Equal(2, wide.ExitCode);
        Assert.Contains($"chmod 600 {file}", wide.Flat);
        Assert.DoesNotContain(xaPassword, wide.Output);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var first = await CliProcess.RunAsync(arguments, TimeSpan.FromSeconds(60), environment);
        var second = await CliProcess.RunAsync(arguments, TimeSpan.FromSeconds(60), environment);

        foreach (var run in new[] { first, second })
        {
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("centre XA", run.Flat);
            Assert.Contains("centre XB", run.Flat);
            Assert.DoesNotContain(xaPassword, run.Flat);
            Assert.DoesNotContain(xbPassword, run.Flat);
        }
        var bindings = await broker.GetJsonAsync($"api/queues/{BrokerTopology.VirtualHost}/{BrokerTopology.InboxQueue(Xa)}/bindings");
        var fromExchange = Assert.Single(bindings.EnumerateArray(), b => b.GetProperty("source").GetString() == BrokerTopology.Exchange);
        Assert.Equal("XA.#", fromExchange.GetProperty("routing_key").GetString());
        // Each centre logs in with the password it was given, and consumes its own inbox.
        await using (var connection = await ConnectAsync(Xa, xaPassword))
        await using (var channel = await connection.CreateChannelAsync())
            await channel.QueueDeclarePassiveAsync(BrokerTopology.InboxQueue(Xa));
        await using (var connection = await ConnectAsync(Xb, xbPassword))
            Assert.True(connection.IsOpen);
    }

    [Fact]
    public async Task Provision_WithoutAPassword_FailsSayingWhereToPutItAndCreatesNothing()
    {
        var run = await CliProcess.RunAsync(["broker", "provision", "--centre", "XC"], TimeSpan.FromSeconds(60),
            new Dictionary<string, string?> { ["LAUNCHNOTIFY_BROKER_PASSWORD_XC"] = null });

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("No broker password for XC", run.Flat);
        Assert.Contains("--password-file", run.Flat);
        Assert.Contains("LAUNCHNOTIFY_BROKER_PASSWORD_XC", run.Flat);
        Assert.Equal(HttpStatusCode.NotFound, (await broker.Management.GetAsync("api/users/XC")).StatusCode);
    }

    [Fact]
    public async Task Provision_WhenTheBrokerDoesNotAnswer_SaysToStartIt()
    {
        var file = Path.Combine(_folder, "xc-password");
        await File.WriteAllTextAsync(file, NewPassword()); // a lone password: fine for a single centre
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now

        var run = await CliProcess.RunAsync(
            ["broker", "provision", "--centre", "XC", "--password-file", file, "--management-url", $"http://127.0.0.1:{closedPort}"], TimeSpan.FromSeconds(60));

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("run infra/rabbitmq/start.sh", run.Flat);
        Assert.Contains($"127.0.0.1:{closedPort}", run.Flat);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var centre in new[] { Xa, Xb, Xc })
            await broker.Provisioner.DeleteCentreAsync(centre, deleteQueues: true);
        Directory.Delete(_folder, recursive: true);
    }

    private Task<IConnection> ConnectAsync(CentreCode centre, string password) => new ConnectionFactory
    {
        HostName = BrokerFixture.Host, Port = broker.AmqpPort, VirtualHost = BrokerTopology.VirtualHost,
        UserName = centre.Value, Password = password, AutomaticRecoveryEnabled = false,
    }.CreateConnectionAsync();

    private static string NewPassword() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
}
