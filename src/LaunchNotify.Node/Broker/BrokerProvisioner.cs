using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
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

    /// <summary>
    /// Federated topology, on this centre's (<paramref name="self"/>) own broker: the link queue for the counterpart
    /// (bound to its routing keys), the shovel that forwards it over TLS, and the counterpart's own link user
    /// (certificate login, no password) allowed to deliver only the counterpart's messages to <paramref name="self"/>.
    /// Idempotent: a second run sets the shovel and permissions to what is given (a changed shovel restarts).
    /// </summary>
    public async Task ProvisionLinkAsync(CentreCode self, CentreLink link, CancellationToken ct = default)
    {
        if (link.Counterpart == self)
            throw new ArgumentException($"A centre has no link to itself ({self}).", nameof(link));
        if (link.Destinations.SelectMany(d => CentreLink.Problems(d, link.Tls)).Distinct().ToList() is { Count: > 0 } problems)
            throw new ArgumentException(string.Join(" ", problems), nameof(link));
        var queue = BrokerTopology.LinkQueue(link.Counterpart);
        await SendAsync(HttpMethod.Put, $"api/queues/{Vhost}/{Seg(queue)}",
            new { durable = true, auto_delete = false, arguments = BrokerTopology.LinkQueueArguments }, ct);
        await BindAsync(BrokerTopology.Exchange, queue, BrokerTopology.CentreBindingKey(link.Counterpart), ct);
        await AllowInboundLinkAsync(self, link.Counterpart, ct);
        await SendAsync(HttpMethod.Put, $"api/parameters/shovel/{Vhost}/{Seg(BrokerTopology.LinkName(link.Counterpart))}",
            new { value = link.ShovelDefinition() }, ct);
    }

    /// <summary>The counterpart's link user on this broker: no password (only its certificate logs it in), publish-only.</summary>
    public async Task AllowInboundLinkAsync(CentreCode self, CentreCode counterpart, CancellationToken ct = default)
    {
        await SendAsync(HttpMethod.Put, $"api/users/{Seg(counterpart)}", new { password_hash = "", tags = "" }, ct);
        var permissions = BrokerTopology.LinkPermissionsFor(counterpart, self);
        await SendAsync(HttpMethod.Put, $"api/permissions/{Vhost}/{Seg(counterpart)}",
            new { configure = permissions.Configure, write = permissions.Write, read = permissions.Read }, ct);
        // A user keeps topic permissions on other exchanges from earlier runs: start from none.
        await SendAsync(HttpMethod.Delete, $"api/topic-permissions/{Vhost}/{Seg(counterpart)}", null, ct, notFoundIsFine: true);
        foreach (var topic in permissions.Topic)
            await SendAsync(HttpMethod.Put, $"api/topic-permissions/{Vhost}/{Seg(counterpart)}",
                new { exchange = topic.Exchange, write = topic.Write, read = topic.Read }, ct);
    }

    /// <summary>Empties queues (those missing are skipped): what a fresh demo or test run starts from.</summary>
    public async Task PurgeQueuesAsync(IEnumerable<string> queues, CancellationToken ct = default)
    {
        foreach (var queue in queues)
            await SendAsync(HttpMethod.Delete, $"api/queues/{Vhost}/{Seg(queue)}/contents", null, ct, notFoundIsFine: true);
    }

    /// <summary>
    /// Stops the link's shovel and nothing else: messages for the counterpart keep queuing in its link queue until
    /// <see cref="ProvisionLinkAsync"/> starts the shovel again (an operator's pause, or the demo's outage).
    /// </summary>
    public Task SuspendLinkAsync(CentreCode counterpart, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/parameters/shovel/{Vhost}/{Seg(BrokerTopology.LinkName(counterpart))}", null, ct, notFoundIsFine: true);

    /// <summary>
    /// Restarts the link's running shovel (management API <c>DELETE /api/shovels/vhost/VHOST/NAME/restart</c>, the
    /// same as <c>rabbitmqctl restart_shovel</c>): it drops its connections, the source requeues what was unconfirmed,
    /// and the shovel connects again to one of its destinations and sends it again. The definition is unchanged.
    /// </summary>
    /// <returns>False when the broker runs no such shovel (not defined, or not started on any node).</returns>
    public Task<bool> RestartLinkAsync(CentreCode counterpart, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/shovels/vhost/{Vhost}/{Seg(BrokerTopology.LinkName(counterpart))}/restart", null, ct, notFoundIsFine: true);

    /// <summary>
    /// Removes the link to <paramref name="counterpart"/>: its shovel, the counterpart's link user (closing its
    /// connection) and the link queue's binding, so new messages for the counterpart are refused as unroutable. The
    /// queue itself is deleted only when empty: messages waiting in it stay until the link is added again.
    /// </summary>
    /// <returns>The messages left waiting in the link queue (0 when it was deleted).</returns>
    public async Task<long> RemoveLinkAsync(CentreCode counterpart, CancellationToken ct = default)
    {
        await SendAsync(HttpMethod.Delete, $"api/parameters/shovel/{Vhost}/{Seg(BrokerTopology.LinkName(counterpart))}", null, ct, notFoundIsFine: true);
        await SendAsync(HttpMethod.Delete, $"api/users/{Seg(counterpart)}", null, ct, notFoundIsFine: true);
        var queue = BrokerTopology.LinkQueue(counterpart);
        var props = Uri.EscapeDataString(BrokerTopology.CentreBindingKey(counterpart)).Replace("%", "%25");
        await SendAsync(HttpMethod.Delete, $"api/bindings/{Vhost}/e/{Seg(BrokerTopology.Exchange)}/q/{Seg(queue)}/{props}", null, ct, notFoundIsFine: true);
        var info = await GetJsonAsync($"api/queues/{Vhost}/{Seg(queue)}", ct);
        if (info is not { } q) return 0;
        var waiting = q.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt64() : 0;
        if (waiting > 0)
            return waiting;
        // The management API's count lags (statistics every few seconds) and a quorum queue cannot be deleted "if empty":
        // with its binding gone nothing new arrives, so one get, requeued, tells for sure whether anything still waits.
        var peeked = await JsonAsync(HttpMethod.Post, $"api/queues/{Vhost}/{Seg(queue)}/get",
            new { count = 1, ackmode = "ack_requeue_true", encoding = "auto", truncate = 64 }, ct);
        if (peeked is { ValueKind: JsonValueKind.Array } got && got.GetArrayLength() > 0)
            return got.GetArrayLength();
        await SendAsync(HttpMethod.Delete, $"api/queues/{Vhost}/{Seg(queue)}", null, ct, notFoundIsFine: true);
        return 0;
    }

    /// <summary>Every link of this broker: each shovel named like a link, and each link queue even without its shovel.</summary>
    public async Task<IReadOnlyList<LinkObservation>> ObserveLinksAsync(CancellationToken ct = default)
    {
        var counterparts = new SortedSet<string>(StringComparer.Ordinal);
        var prefix = BrokerTopology.LinkQueue(new CentreCode("XX"))[..^2];
        if (await GetJsonAsync($"api/queues/{Vhost}?columns=name", ct) is { ValueKind: JsonValueKind.Array } queues)
            foreach (var q in queues.EnumerateArray())
                if (q.GetProperty("name").GetString() is { } n && n.StartsWith(prefix, StringComparison.Ordinal) && CentreCode.IsValid(n[prefix.Length..]))
                    counterparts.Add(n[prefix.Length..]);
        if (await GetJsonAsync($"api/parameters/shovel/{Vhost}", ct) is { ValueKind: JsonValueKind.Array } shovels)
            foreach (var p in shovels.EnumerateArray())
                if (p.GetProperty("name").GetString() is { } n && n.StartsWith(prefix, StringComparison.Ordinal) && CentreCode.IsValid(n[prefix.Length..]))
                    counterparts.Add(n[prefix.Length..]);
        var result = new List<LinkObservation>();
        foreach (var c in counterparts)
            result.Add(await ObserveLinkAsync(new CentreCode(c), ct));
        return result;
    }

    /// <summary>The link's shovel status and its queue's backlog and confirmed-forward count, as the broker reports them now.</summary>
    public async Task<LinkObservation> ObserveLinkAsync(CentreCode counterpart, CancellationToken ct = default)
    {
        var name = BrokerTopology.LinkName(counterpart);
        var defined = await GetJsonAsync($"api/parameters/shovel/{Vhost}/{Seg(name)}", ct) is not null;
        string? state = null, reason = null, node = null, destination = null;
        if (await GetJsonAsync($"api/shovels/{Vhost}", ct) is { ValueKind: JsonValueKind.Array } statuses)
            // A cluster can list a shovel once per node that ran it (a stale entry where it stopped): a running one wins.
            foreach (var st in statuses.EnumerateArray().Where(e => e.TryGetProperty("name", out var n) && n.GetString() == name)
                         .OrderBy(e => Text(e, "state") == "running" ? 1 : 0))
            {
                state = Text(st, "state");
                reason = Text(st, "reason");
                node = Text(st, "node");
                destination = Text(st, "dest_uri");
            }
        long backlog = 0, inFlight = 0;
        long? forwarded = null;
        var queue = await GetJsonAsync($"api/queues/{Vhost}/{Seg(BrokerTopology.LinkQueue(counterpart))}", ct);
        if (queue is { } q)
        {
            backlog = Number(q, "messages_ready") ?? 0;
            inFlight = Number(q, "messages_unacknowledged") ?? 0;
            if (q.TryGetProperty("message_stats", out var stats))
                forwarded = Number(stats, "ack");
        }
        return new LinkObservation(counterpart, defined, defined ? state ?? "starting" : null, reason, node, destination, backlog, inFlight, forwarded)
        {
            QueueExists = queue is not null,
        };

        static string? Text(JsonElement e, string property) =>
            e.TryGetProperty(property, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.ToString() : null;
        static long? Number(JsonElement e, string property) =>
            e.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;
    }

    private Task<JsonElement?> GetJsonAsync(string path, CancellationToken ct) => JsonAsync(HttpMethod.Get, path, null, ct);

    /// <summary>A request whose answer is JSON; null when the thing is not there (404).</summary>
    private async Task<JsonElement?> JsonAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = Request(method, path);
        if (body is not null) request.Content = JsonContent.Create(body);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw Unavailable(e);
        }
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.NotFound) return null;
            if (!response.IsSuccessStatusCode) throw await FailureAsync(method, path, response, ct);
            return await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        }
    }

    private async Task BindAsync(string exchange, string queue, string routingKey, CancellationToken ct)
    {
        // POST adds a binding; RabbitMQ keeps one binding per (source, destination, key, arguments), so a repeat is a no-op.
        await SendAsync(HttpMethod.Post, $"api/bindings/{Vhost}/e/{Seg(exchange)}/q/{Seg(queue)}",
            new { routing_key = routingKey, arguments = new { } }, ct);
    }

    private static string Vhost => Seg(BrokerTopology.VirtualHost);

    private static string Seg(string value) => Uri.EscapeDataString(value);

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(_options.ManagementUri, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_options.User}:{_options.Password}")));
        return request;
    }

    private BrokerUnavailableException Unavailable(HttpRequestException e) => new(
        $"The RabbitMQ management API does not answer at {_options.ManagementUri} — start the broker with infra/rabbitmq/start.sh. ({e.Message})", e);

    private async Task<BrokerProvisioningException> FailureAsync(HttpMethod method, string path, HttpResponseMessage response, CancellationToken ct)
    {
        var detail = await response.Content.ReadAsStringAsync(ct);
        return response.StatusCode == HttpStatusCode.Unauthorized
            ? new BrokerProvisioningException(
                $"The broker refused the administrator {_options.User} at {_options.ManagementUri}: check LAUNCHNOTIFY_BROKER_ADMIN_PASSWORD or .local/rabbitmq/admin-password.")
            : new BrokerProvisioningException(
                $"Provisioning failed: {method} /{Uri.UnescapeDataString(path)} answered {(int)response.StatusCode} {response.ReasonPhrase}: {detail}");
    }

    /// <returns>False when the thing was not there and <paramref name="notFoundIsFine"/> said that is fine.</returns>
    private async Task<bool> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct, bool notFoundIsFine = false)
    {
        using var request = Request(method, path);
        if (body is not null) request.Content = JsonContent.Create(body);

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw Unavailable(e);
        }
        using (response)
        {
            if (response.IsSuccessStatusCode) return true;
            if (notFoundIsFine && response.StatusCode == HttpStatusCode.NotFound) return false;
            throw await FailureAsync(method, path, response, ct);
        }
    }

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }
}

public sealed class BrokerProvisioningException(string message) : Exception(message);
