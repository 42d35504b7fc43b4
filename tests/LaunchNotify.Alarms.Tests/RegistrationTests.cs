using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Alarms;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Node.Launches;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LaunchNotify.Alarms.Tests;

public sealed class RegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> launches)
    {
        var settings = new NodeSettings
        {
            Centre = new CentreCode("US"),
            Store = StorageOptions.SqliteFile(Path.Combine(Path.GetTempPath(), $"unused-{Guid.NewGuid():N}.db")),
            Broker = new BrokerConnection("127.0.0.1", 1, "launchnotify", "US", "unused"),
            KeysDirectory = Path.GetTempPath(),
        };
        var services = new ServiceCollection().AddLogging(l => l.ClearProviders());
        services.AddLaunchNotifyNode(settings);
        services.AddAlarmFeed(settings, NodeRole.Subscriber);
        services.AddObservedLaunches(new ConfigurationBuilder().AddInMemoryCollection(launches).Build());
        return services.BuildServiceProvider();
    }

    [Fact]
    public void AddAlarmFeed_RegistersTheFeedAsAHostedService()
    {
        using var provider = Build([]);
        Assert.Single(provider.GetServices<IHostedService>().OfType<AlarmFeed>());
    }

    [Fact]
    public void AddObservedLaunches_ReadsTheTolerancesFromConfiguration()
    {
        using var provider = Build(new() { ["LaunchNotify:Launches:ToleranceKm"] = "25", ["LaunchNotify:Launches:WindowTolerance"] = "00:05:00" });
        var options = provider.GetRequiredService<ObservedLaunchOptions>();
        Assert.Equal(25, options.Tolerance.DistanceKm);
        Assert.Equal(NodaTime.Duration.FromMinutes(5), options.Tolerance.Window);
    }

    [Fact]
    public void AddObservedLaunches_NegativeTolerance_FailsNamingTheSetting()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Build(new() { ["LaunchNotify:Launches:ToleranceKm"] = "-1" }));
        Assert.Contains("LaunchNotify:Launches", e.Message);
        Assert.Contains("ToleranceKm must be a number of km (0 or more)", e.Message);
    }
}
