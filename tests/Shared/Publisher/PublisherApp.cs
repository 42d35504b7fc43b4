using System.Text;
using LaunchNotify.Domain.Alarms;
using LaunchNotify.Domain.Messages;
using LaunchNotify.Domain.Values;
using LaunchNotify.Node.Alarms;
using LaunchNotify.Protocol.Json;
using LaunchNotify.Protocol.Signing;
using LaunchNotify.Storage;
using LaunchNotify.Storage.Entities;
using LaunchNotify.Tests.Shared;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Testing;

namespace LaunchNotify.Tests.Shared;

/// <summary>
/// Centre US's publisher (the real Program) over a fresh SQLite store in a temp folder (or the store a subclass gives),
/// with a fake clock and without the node's background services (outbox dispatcher, alarm feed: they need a broker;
/// Integration.Tests covers them). Every log entry of Warning or above is kept in <see cref="Logs"/>.
/// </summary>
public class PublisherApp : WebApplicationFactory<Program>
{
    public static readonly CentreCode Us = new("US"), Ru = new("RU"), Cn = new("CN");

    /// <summary>"Now" for the node: noon on 10 March 2026.</summary>
    public static readonly Instant Noon = Instant.FromUtc(2026, 3, 10, 12, 0);

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "launchnotify-alarms-tests-" + Guid.NewGuid().ToString("N"));

    public PublisherApp()
    {
        KeyStore.Generate(Us, KeysDirectory);
    }

    public FakeClock Clock { get; } = new(Noon);

    public string KeysDirectory => Path.Combine(_dir, "keys");

    /// <summary>The node's store, as the CLI's <c>--store</c> takes it.</summary>
    public string StoreOption => Store;

    protected virtual bool OnKestrel => false;

    /// <summary>The store setting (<c>sqlite:PATH</c> or <c>postgres:CONNECTION</c>).</summary>
    protected virtual string Store => "sqlite:" + Path.Combine(_dir, "node.db");

    /// <summary>The folder of the SQLite store and the keys.</summary>
    public string Folder => _dir;

    /// <summary>What the app logged at Warning or above.</summary>
    public CapturedLogs Logs { get; } = new(LogLevel.Warning);

    /// <summary>The real address when the app runs on Kestrel (for the CLI, which makes its own HTTP client).</summary>
    public Uri Address
    {
        get
        {
            StartServer();
            var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new Uri(address.Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1"));
        }
    }

    /// <summary>Everything the app logged at Information or above (as in production), to check what never appears there.</summary>
    public CapturedLogs AllLogs { get; } = new(LogLevel.Information);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureLogging(logging => logging.AddProvider(AllLogs));
        builder.UseSetting("LaunchNotify:Centre", Us.Value);
        builder.UseSetting("LaunchNotify:Store", Store);
        builder.UseSetting("LaunchNotify:Broker:Password", "not-used-here");
        builder.UseSetting("LaunchNotify:KeysDirectory", KeysDirectory);
        builder.UseSetting("LaunchNotify:HttpUrl", "http://127.0.0.1:0");
        builder.ConfigureTestServices(services =>
        {
            var nodeAssembly = typeof(AlarmBook).Assembly;
            var background = services.Where(d => d.ServiceType == typeof(IHostedService)
                && (d.ImplementationType ?? d.ImplementationFactory?.Method.ReturnType)?.Assembly == nodeAssembly).ToList();
            foreach (var d in background)
                services.Remove(d);
            services.AddSingleton<IClock>(Clock);
        });
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        if (OnKestrel)
            UseKestrel();
    }

    private readonly TestAccounts.Cache _tokens = new();

    /// <summary>
    /// Clients from <c>CreateClient</c> carry the token of an account with every role ("tester"), so tests about
    /// something else than roles reach every endpoint; the endpoint × role tests set their own (or none).
    /// </summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        if (SignsInTester)
            client.WithToken(TesterToken());
    }

    /// <summary>False where the node takes its tokens from another provider (it has no token endpoint to sign "tester" in).</summary>
    protected virtual bool SignsInTester => true;

    private string? _testerToken;

    private string TesterToken()
    {
        if (_testerToken is not null)
            return _testerToken;
        TestAccounts.AddWithRolesAsync(StoreOptions, "tester", LaunchNotify.Node.Accounts.NodeRoles.All).GetAwaiter().GetResult();
        using var raw = OnKestrel ? new HttpClient { BaseAddress = Address } : Server.CreateClient();
        return _testerToken = TestAccounts.TokenAsync(raw, "tester").GetAwaiter().GetResult();
    }

    /// <summary>The node's store, where test accounts are made.</summary>
    public StorageOptions StoreOptions => StorageOptions.Parse(Store);

    /// <summary>
    /// An API client signed in as <paramref name="user"/> (made with <paramref name="role"/> if new; default: the account
    /// named after the role, e.g. "duty-officer"), with a token from the publisher's own token endpoint.
    /// </summary>
    public async Task<HttpClient> ClientAsync(string role, string? user = null)
    {
        var http = OnKestrel ? new HttpClient { BaseAddress = Address } : CreateClient();
        await TestAccounts.AddAsync(StoreOptions, (user ?? role, role));
        return http.WithToken(await _tokens.GetAsync(http, user ?? role));
    }

    /// <summary>The same for constructors.</summary>
    public HttpClient ClientAs(string role, string? user = null) => ClientAsync(role, user).GetAwaiter().GetResult();

    /// <summary>A file (0600) holding a token for <paramref name="role"/>'s account, for the CLI's --token-file.</summary>
    public string TokenFileFor(string role)
    {
        using var http = ClientAs(role);
        var path = Path.Combine(_dir, $"token-{role}");
        LaunchNotify.Node.Accounts.SecretFile.WriteOwnerOnly(path, http.DefaultRequestHeaders.Authorization!.Parameter!);
        return path;
    }

    public NodeDbContext Db() => Services.GetRequiredService<IDbContextFactory<NodeDbContext>>().CreateDbContext();

    public AlarmBook Book => Services.GetRequiredService<AlarmBook>();

    /// <summary>Raises an alarm the way detectors do (in their own unit of work) and returns it.</summary>
    public async Task<Alarm> RaiseAsync(AlarmKind kind, string? centre = "RU", string? key = null)
    {
        await using var db = Db();
        var alarm = await Book.RaiseAsync(db, new AlarmRequest(kind, key ?? $"{kind.Code()}:{Guid.NewGuid()}", $"test {kind.Code()}", Centre: centre),
            CancellationToken.None);
        await db.SaveChangesAsync();
        return alarm!;
    }

    /// <summary>Stores a message from <paramref name="message"/>'s sender as this centre's inbox would, received at <paramref name="receivedAt"/>.</summary>
    public async Task ReceiveAsync(Message message, Instant receivedAt, InboxOutcome outcome = InboxOutcome.Accepted)
    {
        await using var db = Db();
        var window = (message as PreNotification)?.LaunchWindow;
        db.Inbox.Add(new InboxMessage
        {
            MessageId = message.MessageId.Value,
            Kind = message.Kind.WireName(),
            Sender = message.Sender.Value,
            AgreementId = message.AgreementId.Value,
            Sequence = 1,
            RelatesTo = message.RelatesTo()?.Value,
            ReceivedAt = receivedAt,
            IssuedAt = message.IssuedAt,
            Outcome = outcome,
            Jws = Encoding.UTF8.GetBytes("evidence"),
            PayloadJson = WireJson.Serialize(message),
            WindowStart = window?.Start,
            WindowEnd = window?.End,
        });
        await db.SaveChangesAsync();
    }

    /// <summary>Stores a message this centre sent, as the submission service would.</summary>
    public async Task SendAsync(Message message)
    {
        await using var db = Db();
        db.OutboundMessages.Add(new OutboundMessage
        {
            MessageId = message.MessageId.Value,
            Kind = message.Kind.WireName(),
            AgreementId = message.AgreementId.Value,
            Sender = message.Sender.Value,
            RelatesTo = message.RelatesTo()?.Value,
            IssuedAt = message.IssuedAt,
            SubmittedAt = message.IssuedAt,
            Jws = Encoding.UTF8.GetBytes("evidence"),
            PayloadJson = WireJson.Serialize(message),
        });
        await db.SaveChangesAsync();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(_dir))
        {
            // This store's pools only: test classes run in parallel, each with its own app and store.
            StoreOptions.ReleaseSqliteConnections();
            Directory.Delete(_dir, recursive: true);
        }
    }
}

/// <summary>The same publisher on a real loopback port, for the CLI.</summary>
public sealed class KestrelPublisherApp : PublisherApp
{
    protected override bool OnKestrel => true;
}

/// <summary>Pre-notifications for the tests: RU's ICBM from Plesetsk to Kura under us-ru-bmlna-1988.</summary>
public static class Notices
{
    public static readonly GeoPoint Plesetsk = new(62.93, 40.57);
    public static readonly GeoPoint Kura = new(57.77, 161.57);

    /// <summary>Window 10 March 06:00..18:00 UTC; launch circle 20 km around Plesetsk, impact circle 100 km around Kura.</summary>
    public static PreNotification Pre(CentreCode sender, CentreCode recipient, string agreement = "us-ru-bmlna-1988") => new()
    {
        MessageId = MessageId.New(),
        AgreementId = new AgreementId(agreement),
        Sender = sender,
        Recipients = [new Addressee(recipient, 1)],
        IssuedAt = PublisherApp.Noon - Duration.FromDays(3),
        LaunchWindow = new LaunchWindow(PublisherApp.Noon - Duration.FromHours(6), PublisherApp.Noon + Duration.FromHours(6)),
        Missile = new Missile(MissileClass.ICBM),
        LaunchArea = new CircleArea(Plesetsk, 20, "Plesetsk"),
        ImpactAreas = [new CircleArea(Kura, 100, "Kura")],
    };

    public static Cancellation Cancel(PreNotification original) => new()
    {
        MessageId = MessageId.New(),
        AgreementId = original.AgreementId,
        Sender = original.Sender,
        Recipients = original.Recipients,
        IssuedAt = original.IssuedAt + Duration.FromHours(1),
        Cancels = original.MessageId,
        Reason = "postponed",
    };
}
