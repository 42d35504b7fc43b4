using System.Diagnostics.Metrics;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Node.Telemetry;
using LaunchNotify.Node.Timeliness;
using LaunchNotify.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;

namespace LaunchNotify.Node.Tests;

/// <summary>
/// The metrics a federated centre's operator alerts on: each link's condition, its backlog and the age of its last
/// forward, read from the link monitor's latest snapshot, under the names docs/operations.md lists.
/// </summary>
public sealed class LinkMetricsTests : IAsyncDisposable
{
    private readonly TestWorld _world = new("US", "RU", "CN");

    public ValueTask DisposeAsync() => _world.DisposeAsync();

    private sealed class FixedLinks(LinksSnapshot snapshot) : ILinkStates
    {
        public LinksSnapshot Snapshot { get; } = snapshot;
    }

    [Fact]
    public async Task Gauges_ReportEachLinksCondition_Backlog_AndLastForwardAge()
    {
        var us = await _world.StartAsync("US");
        var observed = TestWorld.Start + Duration.FromMinutes(10);
        var links = new FixedLinks(new LinksSnapshot(
        [
            new LinkState(new CentreCode("RU"), LinkCondition.Running, "running", null, "us1", Backlog: 2, InFlight: 3, Forwarded: 40,
                LastForwardAt: observed - Duration.FromSeconds(4), NotForwardingSince: null, ObservedAt: observed),
            new LinkState(new CentreCode("CN"), LinkCondition.Down, "terminated", "connection refused", "us1", Backlog: 17, InFlight: 0, Forwarded: null,
                LastForwardAt: null, NotForwardingSince: observed - Duration.FromMinutes(6), ObservedAt: observed),
        ], observed, null));
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var sampler = new NodeGaugeSampler(us.Services.GetRequiredService<IDbContextFactory<NodeDbContext>>(),
            meters.GetRequiredService<IMeterFactory>(), NullLogger<NodeGaugeSampler>.Instance, links);

        var seen = new List<(string Name, double Value, Dictionary<string, string> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == NodeTelemetry.Name && instrument.Name.StartsWith("launchnotify.link.", StringComparison.Ordinal))
                l.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument i, double v, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
            seen.Add((i.Name, v, tags.ToArray().ToDictionary(t => t.Key, t => t.Value?.ToString() ?? "")));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        listener.Start();
        listener.RecordObservableInstruments();
        GC.KeepAlive(sampler);

        double State(string counterpart, string condition) =>
            seen.Single(m => m.Name == "launchnotify.link.state" && m.Tags["counterpart"] == counterpart && m.Tags["condition"] == condition).Value;
        Assert.Equal(1, State("RU", "Running"));
        Assert.Equal(0, State("RU", "Down"));
        Assert.Equal(1, State("CN", "Down"));
        Assert.Equal(0, State("CN", "Running"));
        Assert.Equal(8, seen.Count(m => m.Name == "launchnotify.link.state")); // two links × four conditions

        Assert.Equal(5, seen.Single(m => m.Name == "launchnotify.link.backlog" && m.Tags["counterpart"] == "RU").Value);
        Assert.Equal(17, seen.Single(m => m.Name == "launchnotify.link.backlog" && m.Tags["counterpart"] == "CN").Value);

        // CN has never forwarded: no age for it rather than a made-up one.
        var age = Assert.Single(seen, m => m.Name == "launchnotify.link.last_forward_age");
        Assert.Equal("RU", age.Tags["counterpart"]);
        Assert.Equal(4, age.Value, precision: 6);
    }

    [Fact]
    public async Task Gauges_OfAHubCentre_ReportNoLink()
    {
        var us = await _world.StartAsync("US");
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var sampler = new NodeGaugeSampler(us.Services.GetRequiredService<IDbContextFactory<NodeDbContext>>(),
            meters.GetRequiredService<IMeterFactory>(), NullLogger<NodeGaugeSampler>.Instance);

        var names = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == NodeTelemetry.Name) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<int>((i, _, _, _) => names.Add(i.Name));
        listener.SetMeasurementEventCallback<long>((i, _, _, _) => names.Add(i.Name));
        listener.SetMeasurementEventCallback<double>((i, _, _, _) => names.Add(i.Name));
        listener.Start();
        listener.RecordObservableInstruments();
        GC.KeepAlive(sampler);

        Assert.Contains("launchnotify.outbox.backlog", names);
        Assert.DoesNotContain(names, n => n.StartsWith("launchnotify.link.", StringComparison.Ordinal));
    }
}
