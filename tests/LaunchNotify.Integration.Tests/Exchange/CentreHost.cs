using System.Collections.Concurrent;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Broker;
using LaunchNotify.Node.Hosting;
using LaunchNotify.Node.Outbox;
using LaunchNotify.Node.Queries;
using LaunchNotify.Node.Submission;
using LaunchNotify.Storage;
using LaunchNotify.Subscriber;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;
using Xunit.Abstractions;

namespace LaunchNotify.Integration.Tests.Exchange;

/// <summary>
/// One centre hosted in the test process as a deployment would run it: the node services, one outbox dispatcher for
/// every kind and the MassTransit inbox consumer, its own SQLite store, its broker user from <see cref="BrokerFixture"/>.
/// </summary>
public sealed class CentreHost : IAsyncDisposable
{
    private readonly IHost _host;

    private CentreHost(CentreCode centre, IHost host, NodeSettings settings, ConsumedDeliveries consumed)
    {
        Centre = centre;
        _host = host;
        Settings = settings;
        Consumed = consumed;
    }

    public CentreCode Centre { get; }
    public NodeSettings Settings { get; }

    /// <summary>Every delivery the centre's inbox consumer finished with (stored, parked or answered as a duplicate).</summary>
    public ConsumedDeliveries Consumed { get; }

    public SubmissionService Submission => _host.Services.GetRequiredService<SubmissionService>();
    public StatusQueries Status => _host.Services.GetRequiredService<StatusQueries>();
    public IClock Clock => _host.Services.GetRequiredService<IClock>();

    /// <summary>The keys the running centre signs and verifies with (reloaded from its key folder as the files change).</summary>
    public Node.Keys.KeyRing Keys => _host.Services.GetRequiredService<Node.Keys.KeyRing>();

    public async Task<NodeDbContext> OpenStoreAsync() =>
        await _host.Services.GetRequiredService<IDbContextFactory<NodeDbContext>>().CreateDbContextAsync();

    public static async Task<CentreHost> StartAsync(CentreCode centre, BrokerFixture broker, string keysDirectory, string folder, ITestOutputHelper? output)
    {
        var settings = new NodeSettings
        {
            Centre = centre,
            Store = StorageOptions.SqliteFile(Path.Combine(folder, $"{centre}.db")),
            Broker = new BrokerConnection(BrokerFixture.Host, broker.AmqpPort, BrokerTopology.VirtualHost, centre.Value, broker.Credentials[centre].Password),
            KeysDirectory = keysDirectory,
        };
        // No default configuration sources: LaunchNotify__* variables of the machine must not leak into the test.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production });
        builder.Logging.AddFilter("MassTransit", LogLevel.Warning).AddFilter("Microsoft", LogLevel.Warning).SetMinimumLevel(LogLevel.Information);
        if (output is not null)
            builder.Logging.AddProvider(new TestOutputLoggerProvider(output, centre));
        builder.Services.AddLaunchNotifyNode(settings, SystemClock.Instance);
        builder.Services.AddOutboxDispatcher(settings, NodeRole.Both);
        builder.Services.AddInboxConsumer(settings);
        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            // Start returns once the inbox is consumed, so a test never publishes into a queue nobody reads yet.
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(30);
            o.StopTimeout = TimeSpan.FromSeconds(10);
        });

        var host = builder.Build();
        await host.Services.InitializeNodeAsync(settings, CancellationToken.None);
        var consumed = new ConsumedDeliveries();
        host.Services.GetRequiredService<IBusControl>().ConnectConsumeObserver(consumed);
        await host.StartAsync();
        return new CentreHost(centre, host, settings, consumed);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(TimeSpan.FromSeconds(15));
        _host.Dispose();
    }

    public override string ToString() => $"centre {Centre}";
}

/// <summary>Counts what the inbox consumer finished with, by AMQP message id: how a test knows a delivery was handled.</summary>
public sealed class ConsumedDeliveries : IConsumeObserver
{
    private readonly ConcurrentQueue<(string? MessageId, string? Type)> _done = new();

    public int Count => _done.Count;

    public int CountOf(Guid messageId) => _done.Count(d => d.MessageId == messageId.ToString("D"));

    public int CountOfType(string type) => _done.Count(d => d.Type == type);

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        string? id = null, type = null;
        if (context.ReceiveContext.TryGetPayload<RabbitMqBasicConsumeContext>(out var amqp))
            (id, type) = (amqp.Properties.MessageId, amqp.Properties.Type);
        _done.Enqueue((id, type));
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;
}

/// <summary>Node logs into the test's output, shown when a test fails; silent once the test has ended.</summary>
internal sealed class TestOutputLoggerProvider(ITestOutputHelper output, CentreCode centre) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(output, $"{centre} {categoryName[(categoryName.LastIndexOf('.') + 1)..]}");

    public void Dispose()
    {
    }

    private sealed class Logger(ITestOutputHelper output, string name) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try
            {
                output.WriteLine($"{SystemClock.Instance.GetCurrentInstant():HH:mm:ss.fff} {logLevel.ToString()[..4]} {name}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.Message)}");
            }
            catch (InvalidOperationException)
            {
                // The test has finished; its output is closed.
            }
        }
    }
}
