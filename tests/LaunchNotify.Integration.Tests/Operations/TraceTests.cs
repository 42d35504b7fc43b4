using System.Diagnostics;
using LaunchNotify.Domain.Values;
using LaunchNotify.Integration.Tests.Exchange;
using LaunchNotify.Node.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Xunit.Abstractions;

namespace LaunchNotify.Integration.Tests.Operations;

/// <summary>
/// One notification is one trace across two centres and the real broker: US's submission, its dispatch, RU's inbox
/// (continued from the AMQP traceparent header), RU's receipt dispatch, and US's inbox applying the receipt. The
/// activities are collected in memory by the OpenTelemetry SDK, as an exporter would send them.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class TraceTests(BrokerFixture broker, ITestOutputHelper output)
{
    private static readonly CentreCode Us = new("US"), Ru = new("RU");

    [Fact]
    public async Task Notification_FromSubmissionToReceiptApplied_IsOneTrace()
    {
        var spans = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource(NodeTelemetry.Name).AddInMemoryExporter(spans).Build();
        await using var network = await CentreNetwork.CreateAsync(broker, output);
        var hosts = await network.StartAsync(Us, Ru);
        var us = hosts[0];

        var id = await us.SubmitAcceptedAsync(Drafts.UsToRu(us.Clock.GetCurrentInstant(), "traced"));
        await Eventually.UntilAsync(() => us.Status.GetAsync(id, CancellationToken.None), s => s!.Overall == "confirmed",
            TimeSpan.FromSeconds(30), "the notification to be confirmed");
        tracing.ForceFlush();

        Activity Span(string name, Func<Activity, bool>? where = null)
        {
            lock (spans)
                return Assert.Single(spans, a => a.OperationName == name && (where?.Invoke(a) ?? true));
        }
        var messageId = id.ToString("D");
        var submit = Span("launchnotify.submit", a => (string?)a.GetTagItem("launchnotify.message_id") == messageId);
        var publish = Span("launchnotify.publish", a => (string?)a.GetTagItem("launchnotify.message_id") == messageId);
        var inbox = Span("launchnotify.inbox", a => (string?)a.GetTagItem("launchnotify.message_id") == messageId);
        var applied = Span("launchnotify.receipt.applied", a => (string?)a.GetTagItem("launchnotify.message_id") == messageId);
        Activity[] trace;
        lock (spans)
            trace = [.. spans.Where(a => a.TraceId == submit.TraceId)];
        foreach (var a in trace)
            output.WriteLine($"{a.OperationName} {a.SpanId} parent {a.ParentSpanId} {string.Join(" ", a.Tags.Select(t => $"{t.Key}={t.Value}"))}");

        // Each hop continues the one before it: submit → publish → (AMQP) RU inbox → RU publishes the receipt → (AMQP) US inbox → applied.
        Assert.Equal(submit.SpanId, publish.ParentSpanId);
        Assert.Equal(publish.SpanId, inbox.ParentSpanId);
        Assert.Equal("Accepted", inbox.GetTagItem("launchnotify.disposition"));
        var receiptPublish = Assert.Single(trace, a => a.OperationName == "launchnotify.publish" && a.ParentSpanId == inbox.SpanId);
        var receiptInbox = Assert.Single(trace, a => a.OperationName == "launchnotify.inbox" && a.ParentSpanId == receiptPublish.SpanId);
        Assert.Equal("receipt", receiptInbox.GetTagItem("launchnotify.kind"));
        Assert.Equal(receiptInbox.SpanId, applied.ParentSpanId);
        Assert.All(new[] { publish, inbox, receiptPublish, receiptInbox, applied }, a => Assert.Equal(submit.TraceId, a.TraceId));
    }
}
