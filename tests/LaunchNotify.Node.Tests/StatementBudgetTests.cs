using LaunchNotify.Node.Inbox;
using LaunchNotify.Node.Outbox;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Xunit.Abstractions;

namespace LaunchNotify.Node.Tests;

/// <summary>
/// How many SQL statements the hot path runs per message, counted from EF Core's own diagnostics (every command it
/// executes, on this thread's flow). Not timed: a count, so a change that adds a round trip per message fails here.
/// </summary>
public sealed class StatementBudgetTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TestWorld _world = new("US", "RU");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _world.DisposeAsync();

    // The counts after the inbound sequence row came back from its upsert, the deadlines of a new message stopped
    // looking for themselves, and the audit head's move joined the save's batch (16, 12 and 10 before); a submission's
    // receipt deadlines no longer look for themselves either (13, 12, 9); then the inbox claim wrote the whole row and a
    // save's audit entries and head went out as one command (11, 8, 8); then the next number of a known link became one
    // update of its row (10, 8, 8; a step's new rows are one command per row or table on SQLite, as EF Core's were).
    private const int ReceivedNotificationBudget = 10, ReceivedReceiptBudget = 8, SubmissionBudget = 8;

    [Fact]
    public async Task ReceivedNotification_Receipt_AndSubmission_StayWithinTheirStatementBudgets()
    {
        using var counter = StatementCounter.Start(_world.Folder);
        var us = await _world.StartAsync("US");
        var ru = await _world.StartAsync("RU");
        await us.NotifyAsync("RU", Duration.FromHours(3));
        await us.NotifyAsync("RU", Duration.FromHours(3));
        await _world.DeliverAsync(us, ru);
        await _world.DeliverAsync(ru, us);
        await us.NotifyAsync("RU", Duration.FromHours(3));
        await using var usDb = us.NewDb();
        var entry = await usDb.Outbox.Where(o => o.Recipient == "RU" && o.PublishedAt == null).SingleAsync();
        counter.Commands.Clear();
        await ru.Inbox.ProcessAsync(new InboundDelivery(entry.Body, "US", entry.RoutingKey, entry.MessageId.ToString("D"), entry.Kind, AmqpPublisher.ContentType), CancellationToken.None);
        Report("a received notification", counter, ReceivedNotificationBudget);

        await using var ruDb = ru.NewDb();
        var receipt = await ruDb.Outbox.Where(o => o.Recipient == "US" && o.PublishedAt == null).OrderByDescending(o => o.Id).FirstAsync();
        counter.Commands.Clear();
        await us.Inbox.ProcessAsync(new InboundDelivery(receipt.Body, "RU", receipt.RoutingKey, receipt.MessageId.ToString("D"), receipt.Kind, AmqpPublisher.ContentType), CancellationToken.None);
        Report("a received receipt", counter, ReceivedReceiptBudget);

        counter.Commands.Clear();
        await us.NotifyAsync("RU", Duration.FromHours(3));
        Report("a submission", counter, SubmissionBudget);
    }

    private void Report(string what, StatementCounter counter, int budget)
    {
        var commands = counter.Commands.ToList();
        output.WriteLine($"{what}: {commands.Count} statements\n" + string.Join("\n---\n", commands));
        Assert.True(commands.Count <= budget, $"{what} ran {commands.Count} statements, over its budget of {budget}:\n" + string.Join("\n---\n", commands));
        // Not a count that passes by measuring nothing: each path writes its message and its audit entry.
        Assert.Contains(commands, c => c.Contains("INSERT INTO \"AuditEntries\"", StringComparison.Ordinal));
    }
}
