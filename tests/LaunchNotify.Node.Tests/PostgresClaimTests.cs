using LaunchNotify.Domain.Alarms;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using LaunchNotify.Tests.Shared;
using NodaTime;

namespace LaunchNotify.Node.Tests;

/// <summary>Several processes of one centre on one PostgreSQL store: each deadline is claimed and fired exactly once.</summary>
public sealed class PostgresClaimTests(PostgresSchemaFixture postgres) : IClassFixture<PostgresSchemaFixture>, IAsyncLifetime
{
    private readonly TestWorld _world = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task ManyWatchersOnOnePostgresStore_FireEveryDueDeadlineExactlyOnce()
    {
        var processes = new List<TestCentre>
        {
            await _world.StartAsync("US", postgres.Store, role: NodeRole.Publisher),
            await _world.StartAsync("US", postgres.Store, role: NodeRole.Subscriber),
            await _world.StartAsync("US", postgres.Store, role: NodeRole.Subscriber),
        };
        var sent = new HashSet<Guid?>();
        for (var i = 0; i < 30; i++)
            sent.Add((await processes[0].NotifyAsync("RU", Duration.FromHours(3))).MessageId);
        _world.Advance(Duration.FromMinutes(2));

        var fired = await Task.WhenAll(Enumerable.Range(0, 4).SelectMany(_ => processes.Select(p => Task.Run(p.FireDueAsync))));

        Assert.Equal(30, fired.Sum());
        var alarms = await processes[1].AlarmsAsync(AlarmKind.ReceiptOverdue);
        Assert.Equal(30, alarms.Count);
        Assert.Equal(sent, alarms.Select(a => a.MessageId).ToHashSet());
        var deadlines = await processes[2].DeadlinesAsync(DeadlineKind.ReceiptOverdue);
        Assert.All(deadlines, d => Assert.Equal(DeadlineState.Fired, d.State));
        Assert.All(deadlines, d => Assert.Equal($"RECEIPT_OVERDUE:{d.MessageId}>RU", d.AlarmKey));

        // A process started later over the same store finds nothing left to fire.
        var late = await _world.StartAsync("US", postgres.Store, role: NodeRole.Subscriber);
        Assert.Equal(0, await late.FireDueAsync());
    }

    [Fact]
    public async Task ReceiverSequenceState_OnPostgres_TracksGapsAndRaisesMissing()
    {
        var us = await _world.StartAsync("US");
        var ru = await _world.StartAsync("RU", postgres.Store);
        var first = await us.NotifyAsync("RU", Duration.FromHours(3));
        await us.NotifyAsync("RU", Duration.FromHours(3));
        await _world.DeliverAsync(us, ru, e => e.MessageId != first.MessageId);

        _world.Advance(Duration.FromMinutes(1));
        await ru.FireDueAsync();

        var alarm = Assert.Single(await ru.AlarmsAsync(AlarmKind.MissingNotification));
        Assert.Equal("1", alarm.Sequences);
        await _world.DeliverAsync(us, ru, e => e.MessageId == first.MessageId);
        Assert.Equal(AlarmState.Resolved, Assert.Single(await ru.AlarmsAsync(AlarmKind.MissingNotification)).State);
    }
}
