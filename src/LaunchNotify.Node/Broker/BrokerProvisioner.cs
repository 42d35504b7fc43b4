using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using LaunchNotify.Domain.Values;

namespace LaunchNotify.Node.Broker;

/// <summary>
/// Makes the <see cref="BrokerTopology"/> on a broker through its management HTTP API: vhost, exchanges, quorum
/// inbox and parked queues with their bindings, one user per centre with permissions and topic permissions.
/// Every step is a PUT (or a binding POST, which RabbitMQ deduplicates), so running it again changes nothing
/// but passwords and permissions, which it sets to what the caller gives.
/// </summary>
public sealed class BrokerProvisioner : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly BrokerAdminOptions _options;

    public BrokerProvisioner(BrokerAdminOptions options, HttpClient? http = null)
    {
        _options = options;
        _ownsHttp = http is null;
        _http = http ?? new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task ProvisionAsync(IEnumerable<CentreCredential> centres, CancellationToken ct = default)
    {
        var list = centres.ToList();
        var duplicate = list.GroupBy(c => c.Centre).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"Centre {duplicate.Key} is listed more than once.", nameof(centres));
        if (list.FirstOrDefault(c => string.IsNullOrWhiteSpace(c.Password)) is { } blank)
            throw new ArgumentException($"Centre {blank.Centre} has no broker password.", nameof(centres));

        await ProvisionSharedAsync(ct);
        foreach (var centre in list)
            await ProvisionCentreAsync(centre, ct);
    }

    /// <summary>The vhost and the exchanges every centre shares; the administrator gets full rights in the vhost.</summary>
    public async Task ProvisionSharedAsync(CancellationToken ct = default)
    {
        await SendAsync(HttpMethod.Put, $"api/vhosts/{Vhost}", new { description = "LaunchNotify exchange of launch pre-notifications" }, ct);
        await SendAsync(HttpMethod.Put, $"api/permissions/{Vhost}/{Seg(_options.User)}", new { configure = ".*", write = ".*", read = ".*" }, ct);
        foreach (var exchange in new[] { BrokerTopology.Exchange, BrokerTopology.ParkingExchange, BrokerTopology.AlarmExchange })
            await SendAsync(HttpMethod.Put, $"api/exchanges/{Vhost}/{Seg(exchange)}",
                new { type = "topic", durable = true, auto_delete = false, @internal = false, arguments = new { } }, ct);
    }

    public async Task ProvisionCentreAsync(CentreCredential credential, CancellationToken ct = default)
    {
        var centre = credential.Centre;
        var inbox = BrokerTopology.InboxQueue(centre);
        var parked = BrokerTopology.ParkedQueue(centre);

        await SendAsync(HttpMethod.Put, $"api/queues/{Vhost}/{Seg(parked)}",
            new { durable = true, auto_delete = false, arguments = BrokerTopology.ParkedQueueArguments }, ct);
        await BindAsync(BrokerTopology.ParkingExchange, parked, BrokerTopology.CentreBindingKey(centre), ct);
        await SendAsync(HttpMethod.Put, $"api/queues/{Vhost}/{Seg(inbox)}",
            new { durable = true, auto_delete = false, arguments = BrokerTopology.InboxQueueArguments(centre) }, ct);
        await BindAsync(BrokerTopology.Exchange, inbox, BrokerTopology.CentreBindingKey(centre), ct);

        await SendAsync(HttpMethod.Put, $"api/users/{Seg(centre)}", new { password = credential.Password, tags = "" }, ct);
        var permissions = BrokerTopology.PermissionsFor(centre);
        await SendAsync(HttpMethod.Put, $"api/permissions/{Vhost}/{Seg(centre)}",
            new { configure = permissions.Configure, write = permissions.Write, read = permissions.Read }, ct);
        foreach (var topic in permissions.Topic)
            await SendAsync(HttpMethod.Put, $"api/topic-permissions/{Vhost}/{Seg(centre)}",
                new { exchange = topic.Exchange, write = topic.Write, read = topic.Read }, ct);
    }

    /// <summary>
    /// Removes a centre's broker user (which closes its connections). Its inbox and parked queues go too only when
    /// <paramref name="deleteQueues"/> is set: they may hold messages nobody has stored yet.
    /// </summary>
    public async Task DeleteCentreAsync(CentreCode centre, bool deleteQueues = false, CancellationToken ct = default)
    {
        await SendAsync(HttpMethod.Delete, $"api/users/{Seg(centre)}", null, ct, notFoundIsFine: true);
        if (!deleteQueues) return;
        foreach (var queue in new[] { BrokerTopology.InboxQueue(centre), BrokerTopology.ParkedQueue(centre) })
            await SendAsync(HttpMethod.Delete, $"api/queues/{Vhost}/{Seg(queue)}", null, ct, notFoundIsFine: true);
    }

    private async Task BindAsync(string exchange, string queue, string routingKey, CancellationToken ct)
    {
        // POST adds a binding; RabbitMQ keeps one binding per (source, destination, key, arguments), so a repeat is a no-op.
        await SendAsync(HttpMethod.Post, $"api/bindings/{Vhost}/e/{Seg(exchange)}/q/{Seg(queue)}",
            new { routing_key = routingKey, arguments = new { } }, ct);
    }

    private static string Vhost => Seg(BrokerTopology.VirtualHost);

    private static string Seg(string value) => Uri.EscapeDataString(value);

    private async Task SendAsync(HttpMethod method, string path, object? body, CancellationToken ct, bool notFoundIsFine = false)
    {
        using var request = new HttpRequestMessage(method, new Uri(_options.ManagementUri, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_options.User}:{_options.Password}")));
        if (body is not null) request.Content = JsonContent.Create(body);

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new BrokerUnavailableException(
                $"The RabbitMQ management API does not answer at {_options.ManagementUri} — start the broker with infra/rabbitmq/start.sh. ({e.Message})", e);
        }
        using (response)
        {
            if (response.IsSuccessStatusCode || (notFoundIsFine && response.StatusCode == HttpStatusCode.NotFound)) return;
            var detail = await response.Content.ReadAsStringAsync(ct);
            throw response.StatusCode == HttpStatusCode.Unauthorized
                ? new BrokerProvisioningException(
                    $"The broker refused the administrator {_options.User} at {_options.ManagementUri}: check LAUNCHNOTIFY_BROKER_ADMIN_PASSWORD or .local/rabbitmq/admin-password.")
                : new BrokerProvisioningException(
                    $"Provisioning failed: {method} /{Uri.UnescapeDataString(path)} answered {(int)response.StatusCode} {response.ReasonPhrase}: {detail}");
        }
    }

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }
}

public sealed class BrokerProvisioningException(string message) : Exception(message);
