using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Hosting;
using Microsoft.Extensions.Configuration;
using NodaTime;

namespace LaunchNotify.Node.Tests;

/// <summary>Federated topology: how broker readings of a link become its condition, and what configuration accepts.</summary>
public sealed class LinkStateTests
{
    private static readonly CentreCode Ru = new("RU");
    private static readonly Instant T0 = Instant.FromUtc(2026, 12, 6, 8, 0);

    private static LinkObservation Reading(string? shovel = "running", long backlog = 0, long inFlight = 0, long? forwarded = 0, bool defined = true) =>
        new(Ru, defined, defined ? shovel : null, null, "n1", null, backlog, inFlight, forwarded);

    [Fact]
    public void Observe_RunningWithNothingWaiting_IsRunningAndForwardsAreSeenWhenTheCountGrows()
    {
        var tracker = new LinkTracker(Duration.FromSeconds(3));
        var first = tracker.Observe(Reading(forwarded: 5), T0);
        Assert.Equal(LinkCondition.Running, first.Condition);
        Assert.Null(first.LastForwardAt); // the broker's count says nothing about when

        var second = tracker.Observe(Reading(forwarded: 7), T0 + Duration.FromSeconds(1));
        Assert.Equal(T0 + Duration.FromSeconds(1), second.LastForwardAt);
        Assert.Null(second.NotForwardingSince);
    }

    [Fact]
    public void Observe_RunningButWaitingWithoutConfirmsPastTheBound_IsBlockedSinceMessagesStartedWaiting()
    {
        var tracker = new LinkTracker(Duration.FromSeconds(3));
        Assert.Equal(LinkCondition.Running, tracker.Observe(Reading(inFlight: 1, forwarded: 2), T0).Condition);
        Assert.Equal(LinkCondition.Running, tracker.Observe(Reading(inFlight: 1, forwarded: 2), T0 + Duration.FromSeconds(2)).Condition);

        var blocked = tracker.Observe(Reading(inFlight: 1, forwarded: 2), T0 + Duration.FromSeconds(3));
        Assert.Equal(LinkCondition.Blocked, blocked.Condition);
        Assert.Equal(T0, blocked.NotForwardingSince);

        var moving = tracker.Observe(Reading(inFlight: 1, forwarded: 3), T0 + Duration.FromSeconds(4));
        Assert.Equal(LinkCondition.Running, moving.Condition); // a confirm: busy, not blocked
        Assert.Null(moving.NotForwardingSince);
    }

    [Fact]
    public void Observe_ShovelNotRunningOrAbsent_IsDownOrAbsentFromTheFirstSuchReading()
    {
        var tracker = new LinkTracker(Duration.FromSeconds(3));
        var down = tracker.Observe(Reading(shovel: "starting", backlog: 4), T0);
        Assert.Equal(LinkCondition.Down, down.Condition);
        Assert.Equal(T0, down.NotForwardingSince);
        var stillDown = tracker.Observe(Reading(shovel: "terminated", backlog: 5), T0 + Duration.FromMinutes(1));
        Assert.Equal(T0, stillDown.NotForwardingSince); // one spell, counted from its start

        var other = new LinkTracker(Duration.FromSeconds(3));
        Assert.Equal(LinkCondition.Absent, other.Observe(Reading(defined: false, backlog: 2), T0).Condition);
    }

    [Fact]
    public void Observe_ForwardCountDrops_IsAResetNotAForward()
    {
        var tracker = new LinkTracker(Duration.FromSeconds(3));
        tracker.Observe(Reading(forwarded: 10), T0);
        var afterLeaderMoved = tracker.Observe(Reading(forwarded: 0), T0 + Duration.FromSeconds(1));
        Assert.Null(afterLeaderMoved.LastForwardAt);
        Assert.Equal(T0 + Duration.FromSeconds(2), tracker.Observe(Reading(forwarded: 1), T0 + Duration.FromSeconds(2)).LastForwardAt);
    }

    [Fact]
    public void Observe_FirstCountAfterReadingsWithoutOne_IsAForward()
    {
        // Cut from the start: the link queue has no ack count until the line heals and the first confirms arrive.
        var tracker = new LinkTracker(Duration.FromSeconds(3));
        Assert.Null(tracker.Observe(Reading(shovel: "starting", backlog: 5, forwarded: null), T0).LastForwardAt);
        var healed = tracker.Observe(Reading(forwarded: 5), T0 + Duration.FromMinutes(1));
        Assert.Equal(LinkCondition.Running, healed.Condition);
        Assert.Equal(T0 + Duration.FromMinutes(1), healed.LastForwardAt);

        // The very first reading of a monitor just started still says nothing about when.
        Assert.Null(new LinkTracker(Duration.FromSeconds(3)).Observe(Reading(forwarded: 5), T0).LastForwardAt);
    }

    [Theory]
    [InlineData("ftp://x:1", "amqps://")]
    [InlineData("amqps://localhost", "no port")]
    public void Problems_NotAnAmqpsAddressWithPort_SaysWhatToGive(string destination, string expected)
    {
        var problems = CentreLink.Problems(new Uri(destination), LinkTls.InFolder("/etc/launchnotify/tls"));
        Assert.Contains(problems, p => p.Contains(expected));
    }

    [Fact]
    public void Problems_RelativeTlsPaths_AreRefused() =>
        Assert.Equal(3, CentreLink.Problems(new Uri("amqps://localhost:5671"), new LinkTls("ca.pem", "client.pem", "client.key")).Count);

    [Fact]
    public void ShovelDefinition_ForwardsOnConfirmToTheCounterpartsExchangeOverVerifiedTlsWithTheCentresCertificate()
    {
        var link = new CentreLink(Ru, new Uri("amqps://ru-broker:5671"), LinkTls.InFolder("/tls/US"))
        {
            AlternateDestinations = [new Uri("amqps://ru-broker-2:5671")],
        };
        var definition = (Dictionary<string, object>)link.ShovelDefinition();
        Assert.Equal("on-confirm", definition["ack-mode"]);
        Assert.Equal("launchnotify.link.RU", definition["src-queue"]);
        Assert.Equal(BrokerTopology.Exchange, definition["dest-exchange"]);
        var uris = Assert.IsType<string[]>(definition["dest-uri"]);
        Assert.Equal(2, uris.Length);
        Assert.All(uris, u => Assert.Contains("verify=verify_peer", u));
        Assert.All(uris, u => Assert.Contains("auth_mechanism=external", u));
        Assert.StartsWith("amqps://ru-broker-2:5671/launchnotify?", uris[1]);
        Assert.Contains("server_name_indication=ru-broker-2", uris[1]);
        Assert.All(uris, u => Assert.Contains("heartbeat=15", u));
    }

    [Fact]
    public void LinkPermissions_AllowOnlyTheSendersMessagesToTheReceiver()
    {
        var p = BrokerTopology.LinkPermissionsFor(new CentreCode("US"), Ru);
        var topic = Assert.Single(p.Topic);
        var write = new System.Text.RegularExpressions.Regex(topic.Write);
        Assert.Matches(write, "RU.US.prenotification");
        Assert.DoesNotMatch(write, "RU.CN.prenotification");
        Assert.DoesNotMatch(write, "CN.US.prenotification");
        Assert.Equal("^$", p.Read);
        Assert.Equal("^$", p.Configure);
    }

    /// <summary>The required keys, set.</summary>
    private static Dictionary<string, string?> Required() => new()
    {
        ["LaunchNotify:Centre"] = "US",
        ["LaunchNotify:Store"] = "sqlite:node.db",
        ["LaunchNotify:KeysDirectory"] = Path.GetTempPath(),
        ["LaunchNotify:Broker:Password"] = "unused",
    };

    /// <summary>The section as the node binds it: the required keys set, the topology keys given.</summary>
    private static NodeSettings Settings(params (string Key, string Value)[] topology)
    {
        var values = Required();
        foreach (var (key, value) in topology)
            values[$"LaunchNotify:Topology:{key}"] = value;
        return NodeSettings.From(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
    }

    [Theory]
    [InlineData("Kind", "mesh", "LaunchNotify:Topology:Kind = 'mesh' (env LaunchNotify__Topology__Kind): must be hub or federated (docs/deployment.md)")]
    [InlineData("Kind", "federated", "LaunchNotify:Topology:Management:Url = (not set) (env LaunchNotify__Topology__Management__Url): required when Topology:Kind is federated")]
    [InlineData("LinkSilentAfter", "-00:01:00", "LaunchNotify:Topology:LinkSilentAfter = '-00:01:00' (env LaunchNotify__Topology__LinkSilentAfter): must be a TimeSpan from 00:00:01 to 7.00:00:00")]
    [InlineData("LinkPollInterval", "soon", "LaunchNotify:Topology:LinkPollInterval = 'soon' (env LaunchNotify__Topology__LinkPollInterval): must be a TimeSpan from 00:00:00.100 to 00:10:00")]
    [InlineData("StalledLinkRestartAfter", "00:00:00", "LaunchNotify:Topology:StalledLinkRestartAfter = '00:00:00' (env LaunchNotify__Topology__StalledLinkRestartAfter): must be a TimeSpan from 00:00:01 to 1.00:00:00")]
    [InlineData("StalledLinkRestarts", "-1", "LaunchNotify:Topology:StalledLinkRestarts = '-1' (env LaunchNotify__Topology__StalledLinkRestarts): must be a whole number from 0 (never restart) to 100")]
    [InlineData("StalledLinkRestarts", "many", "LaunchNotify:Topology:StalledLinkRestarts = 'many' (env LaunchNotify__Topology__StalledLinkRestarts): must be a whole number from 0 (never restart) to 100")]
    [InlineData("StalledLinkRestartWindow", "8.00:00:00", "LaunchNotify:Topology:StalledLinkRestartWindow = '8.00:00:00' (env LaunchNotify__Topology__StalledLinkRestartWindow): must be a TimeSpan from 00:00:01 to 7.00:00:00")]
    [InlineData("Management:Url", "amqp://127.0.0.1:5672", "LaunchNotify:Topology:Management:Url = 'amqp://127.0.0.1:5672' (env LaunchNotify__Topology__Management__Url): must be the management API's http(s) URL")]
    public void TopologySettings_BadValue_IsOneLineNamingKeyValueAndWhatIsAllowed(string key, string value, string expected)
    {
        var e = Assert.Throws<SettingsException>(() => Settings((key, value), ("Management:Password", "secret")));
        Assert.StartsWith(expected, Assert.Single(e.Problems));
    }

    [Fact]
    public void TopologySettings_ManagementApiWithoutAPassword_SaysWhereToPutIt()
    {
        var e = Assert.Throws<SettingsException>(() => Settings(("Kind", "federated"), ("Management:Url", "http://127.0.0.1:15800/")));
        Assert.StartsWith("LaunchNotify:Topology:Management:Password = (not set) (env LaunchNotify__Topology__Management__Password): required with Topology:Management:Url",
            Assert.Single(e.Problems));
    }

    [Fact]
    public void TopologySettings_FederatedWithAClusterOfManagementApis_ListsEveryNode()
    {
        var settings = Settings(
            ("Kind", "federated"),
            ("Management:Url", "http://127.0.0.1:15800, http://127.0.0.1:15801/"),
            ("Management:Password", "secret"),
            ("LinkSilentAfter", "00:00:20")).Topology;
        Assert.True(settings.WatchesLinks);
        Assert.Equal(TopologyKind.Federated, settings.Kind);
        Assert.Equal(["http://127.0.0.1:15800/", "http://127.0.0.1:15801/"], settings.ManagementNodes.Select(n => n.ManagementUri.ToString()));
        Assert.All(settings.ManagementNodes, n => Assert.Equal(("launchnotify-admin", "secret"), (n.User, n.Password)));
        Assert.Equal(Duration.FromSeconds(20), settings.LinkSilentAfter);
        Assert.Equal(Duration.FromSeconds(5), settings.LinkPollInterval);
        Assert.Equal(LinkRestartPolicy.Default, settings.LinkRestart);
        Assert.Equal(new LinkRestartPolicy(Duration.FromSeconds(20), 3, Duration.FromMinutes(10)), LinkRestartPolicy.Default);
        Assert.Equal(new LinkRestartPolicy(Duration.FromSeconds(45), 0, Duration.FromHours(1)), Settings(
            ("StalledLinkRestartAfter", "00:00:45"), ("StalledLinkRestarts", "0"), ("StalledLinkRestartWindow", "01:00:00")).Topology.LinkRestart);
        Assert.Equal(TopologyKind.Hub, Settings().Topology.Kind);
        Assert.False(Settings().Topology.WatchesLinks);
    }

    [Fact]
    public void TopologySettings_ManagementPasswordFileOpenToOthers_IsRefusedWithChmod()
    {
        if (OperatingSystem.IsWindows())
            return; // file modes are Unix's
        var file = Path.Combine(Path.GetTempPath(), $"ln-mgmt-{Guid.NewGuid():N}");
        File.WriteAllText(file, "secret");
        try
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            var e = Assert.Throws<SettingsException>(() => Settings(("Kind", "federated"), ("Management:Url", "http://127.0.0.1:15800/"), ("Management:PasswordFile", file)));
            Assert.Contains($"chmod 600 {file}", Assert.Single(e.Problems));

            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Assert.Equal("secret", Settings(("Kind", "Federated"), ("Management:Url", "http://127.0.0.1:15800/"), ("Management:PasswordFile", file)).Topology.Management!.Password);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("LaunchNotify:Dashboard:User")]
    [InlineData("LaunchNotify:Dashboard:PasswordFile")]
    public void RetiredDashboardLogin_IsRefusedWithOneLineSayingWhatReplacedIt(string key)
    {
        var values = Required();
        values[key] = "compliance";
        var e = Assert.Throws<SettingsException>(() => NodeSettings.From(new ConfigurationBuilder().AddInMemoryCollection(values).Build()));
        var line = Assert.Single(e.Problems);
        Assert.StartsWith($"{key} = ", line);
        Assert.Contains("launchnotify users add NAME --role compliance-officer", line);
    }

    [Theory]
    [InlineData("127.0.0.1:5800,127.0.0.1:5801", null)]
    [InlineData("127.0.0.1:5800,127.0.0.1", "must be the cluster's nodes as host:port")]
    [InlineData("127.0.0.1:70000", "must be the cluster's nodes as host:port")]
    public void BrokerClusterNodes_AreValidatedWithTheOtherSettings(string nodes, string? problem)
    {
        var values = Required();
        values["LaunchNotify:Broker:ClusterNodes"] = nodes;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        if (problem is null)
            Assert.Equal(["127.0.0.1:5800", "127.0.0.1:5801"], NodeSettings.From(configuration).Broker.ClusterNodes);
        else
            Assert.Contains(problem, Assert.Single(Assert.Throws<SettingsException>(() => NodeSettings.From(configuration)).Problems));
    }
}
