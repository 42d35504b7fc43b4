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
    // update of its row (10, 8, 8; a step's new rows are one command per row or table on SQLite, as EF Core's were); then
    // a received message other than an acknowledgement or a key announcement no longer looked for itself before its step
    // (the claim decides), and a receipt read its delivery and receipt deadline in one statement (9, 6, 8).
    private const int ReceivedNotificationBudget = 9, ReceivedReceiptBudget = 6, SubmissionBudget = 8;

    [Fact]
    public async Task ReceivedNotification_Receipt_AndSubmission_StayWithinTheirStatementBudgets()
    {
        using var counter = StatementCounter.Start(_world.Folder);
        await CountThreePathsAsync(counter, await _world.StartAsync("US"), await _world.StartAsync("RU"), "",
            (ReceivedNotificationBudget, ReceivedReceiptBudget, SubmissionBudget), "statements");
    }

    /// <summary>
    /// Two notifications delivered and answered, a third submitted; then counts the recipient storing that third one,
    /// the sender applying a receipt, and one more submission, each against its budget.
    /// </summary>
    private async Task CountThreePathsAsync(StatementCounter counter, TestCentre us, TestCentre ru, string where,
        (int Notification, int Receipt, int Submission) budgets, string unit)
    {
        await us.NotifyAsync("RU", Duration.FromHours(3));
        await us.NotifyAsync("RU", Duration.FromHours(3));
        await _world.DeliverAsync(us, ru);
        await _world.DeliverAsync(ru, us);
        await us.NotifyAsync("RU", Duration.FromHours(3));
        await using var usDb = us.NewDb();
        var entry = await usDb.Outbox.Where(o => o.Recipient == "RU" && o.PublishedAt == null).SingleAsync();
        counter.Commands.Clear();
        await ru.Inbox.ProcessAsync(new InboundDelivery(entry.Body, "US", entry.RoutingKey, entry.MessageId.ToString("D"), entry.Kind, AmqpPublisher.ContentType), CancellationToken.None);
        Report("a received notification" + where, counter, budgets.Notification, unit);

        await using var ruDb = ru.NewDb();
        var receipt = await ruDb.Outbox.Where(o => o.Recipient == "US" && o.PublishedAt == null).OrderByDescending(o => o.Id).FirstAsync();
        counter.Commands.Clear();
        await us.Inbox.ProcessAsync(new InboundDelivery(receipt.Body, "RU", receipt.RoutingKey, receipt.MessageId.ToString("D"), receipt.Kind, AmqpPublisher.ContentType), CancellationToken.None);
        Report("a received receipt" + where, counter, budgets.Receipt, unit);

        counter.Commands.Clear();
        await us.NotifyAsync("RU", Duration.FromHours(3));
        Report("a submission" + where, counter, budgets.Submission, unit);
    }

    private void Report(string what, StatementCounter counter, int budget, string unit = "statements")
    {
        var commands = counter.Commands.ToList();
        output.WriteLine($"{what}: {commands.Count} {unit}\n" + string.Join("\n---\n", commands));
        Assert.True(commands.Count <= budget, $"{what} ran {commands.Count} {unit}, over its budget of {budget}:\n" + string.Join("\n---\n", commands));
        // Not a count that passes by measuring nothing: each path writes its message and its audit entry.
        Assert.Contains(commands, c => c.Contains("INSERT INTO \"AuditEntries\"", StringComparison.Ordinal));
    }

    /// <summary>
    /// The same three paths with both centres on PostgreSQL, counted in round trips to the server: each command (however
    /// many statements it holds) and each commit (Npgsql sends a transaction's BEGIN with its first command). On
    /// PostgreSQL every round trip costs the node a socket write, a read and an async continuation, and, in scale-out,
    /// lengthens the time a batch holds the link's sequence row and the audit head.
    /// </summary>
    [Fact]
    public async Task OnPostgres_ReceivedNotification_Receipt_AndSubmission_StayWithinTheirRoundTripBudgets()
    {
        await using var stores = new PostgresSchemas();
        await stores.InitializeAsync();
        using var counter = StatementCounter.StartOnPostgres(stores.First.Store.ConnectionString, stores.Second.Store.ConnectionString);
        await CountThreePathsAsync(counter, await _world.StartAsync("US", stores.First.Store), await _world.StartAsync("RU", stores.Second.Store),
            " (PostgreSQL)", (ReceivedNotificationRoundTrips, ReceivedReceiptRoundTrips, SubmissionRoundTrips), "round trips");
    }

    // Round trips on PostgreSQL, commit included: 9, 8 and 6 when first counted; then the statements a step leaves to its
    // save (the inbox row's receipt columns), its new rows and the audit chain's reservation went as one command, a
    // received message no longer looked for itself before its step, and a receipt read its delivery and deadline at once
    // (6, 6, 5); then a notification's claim took its receipt's number in the same statement (5, 6, 5); then a batch's
    // audit entries, receipt numbers and link sequence moved to its end (GroupCommitter, IBatchFinisher), so that the head
    // and the link's rows are locked from there to the commit only, the end's reservation, sequence update and numbering
    // in one command: a receipt's step takes the chain's lock before it locks the delivery, and a submission's reservation
    // no longer rides on its save (5, 7, 6).
    private const int ReceivedNotificationRoundTrips = 5, ReceivedReceiptRoundTrips = 7, SubmissionRoundTrips = 6;

    /// <summary>Two centres' PostgreSQL stores: a schema each, in the project-local server.</summary>
    private sealed class PostgresSchemas : IAsyncDisposable
    {
        public PostgresSchemaFixture First { get; } = new();
        public PostgresSchemaFixture Second { get; } = new();

        public async Task InitializeAsync()
        {
            await First.InitializeAsync();
            await Second.InitializeAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await First.DisposeAsync();
            await Second.DisposeAsync();
        }
    }
}
