using System.Net;
using System.Text.Json;
using LaunchNotify.Domain.Values;
using LaunchNotify.Protocol.Signing;

namespace LaunchNotify.Integration.Tests.Operations;

/// <summary>
/// Readiness of the real publisher and subscriber processes follows the real broker: ready while it runs, not ready
/// (the broker check unhealthy, the others healthy) once infra/rabbitmq/stop.sh stopped it, ready again after start.sh.
/// Liveness stays up throughout. Runs in the broker collection, so no other broker test runs during the outage.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class HealthTests(BrokerFixture broker) : IDisposable
{
    private static readonly CentreCode Us = new("US");
    private readonly string _folder = Directory.CreateTempSubdirectory("ln-health-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Check(JsonElement body, string name) => body.GetProperty("checks").GetProperty(name).GetProperty("status").GetString()!;

    [Fact]
    public async Task Readiness_OfBothDeployables_FollowsTheBroker_AndLivenessStaysUp()
    {
        var keys = Path.Combine(_folder, "keys");
        KeyStore.Generate(Us, keys);
        string publisherUrl = $"http://127.0.0.1:{DeployableProcess.FreePort()}", subscriberUrl = $"http://127.0.0.1:{DeployableProcess.FreePort()}";
        var common = new Dictionary<string, string>
        {
            ["LaunchNotify__Centre"] = "US",
            ["LaunchNotify__Store"] = $"sqlite:{Path.Combine(_folder, "node.db")}",
            ["LaunchNotify__KeysDirectory"] = keys,
            ["LaunchNotify__Broker__Password"] = broker.Credentials[Us].Password,
            // The scripts' variable, as infra/demo.sh exports it: the services must connect to this broker, not the default port.
            ["LAUNCHNOTIFY_AMQP_PORT"] = broker.AmqpPort.ToString(),
            ["LaunchNotify__HttpUrl"] = publisherUrl,
            ["LaunchNotify__Subscriber__HttpUrl"] = subscriberUrl,
        };
        await using var publisher = DeployableProcess.Start("Publisher", common);
        await using var subscriber = DeployableProcess.Start("Subscriber", common);
        var within = TimeSpan.FromSeconds(90);

        foreach (var (process, url) in new[] { (publisher, publisherUrl), (subscriber, subscriberUrl) })
        {
            var (_, ready) = await process.HealthAsync(url + "/health/ready", (s, _) => s == HttpStatusCode.OK, within, $"readiness of {url}");
            Assert.Equal("Healthy", ready.GetProperty("status").GetString());
            foreach (var check in new[] { "store", "broker", "signing-key", "deadline-watcher", "outbox-backlog" })
                Assert.Equal("Healthy", Check(ready, check));
        }

        await InfraScript.RunAsync("infra/rabbitmq/stop.sh", TimeSpan.FromMinutes(2));
        try
        {
            foreach (var (process, url) in new[] { (publisher, publisherUrl), (subscriber, subscriberUrl) })
            {
                var (status, notReady) = await process.HealthAsync(url + "/health/ready", (s, _) => s == HttpStatusCode.ServiceUnavailable, within, $"{url} to report the stopped broker");
                Assert.Equal("Unhealthy", notReady.GetProperty("status").GetString());
                Assert.Equal("Unhealthy", Check(notReady, "broker"));
                Assert.Equal("Healthy", Check(notReady, "store"));
                Assert.Equal("Healthy", Check(notReady, "signing-key"));
                var (liveStatus, _) = await process.HealthAsync(url + "/health/live", (s, _) => true, within, $"liveness of {url}");
                Assert.Equal(HttpStatusCode.OK, liveStatus);
            }
        }
        finally
        {
            await InfraScript.RunAsync("infra/rabbitmq/start.sh", TimeSpan.FromMinutes(3));
        }

        foreach (var (process, url) in new[] { (publisher, publisherUrl), (subscriber, subscriberUrl) })
            await process.HealthAsync(url + "/health/ready", (s, _) => s == HttpStatusCode.OK, within, $"{url} ready again after the broker restart");

        // Quiet by default with the shipped settings: both stores were migrated and read by every readiness check, the
        // node's own Information lines are there, and not one SQL statement was logged.
        foreach (var process in new[] { publisher, subscriber })
        {
            Assert.Contains("Deadline watcher", process.Output);
            Assert.DoesNotContain("Executed DbCommand", process.Output);
            Assert.DoesNotContain("Microsoft.EntityFrameworkCore.Database.Command", process.Output);
        }
    }
}
