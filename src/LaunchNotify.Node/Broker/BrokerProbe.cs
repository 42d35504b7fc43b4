using System.Net.Sockets;

namespace LaunchNotify.Node.Broker;

/// <summary>Tells "the broker is not running" apart from every later error, with what to do about it.</summary>
public static class BrokerProbe
{
    public static async Task<bool> IsReachableAsync(string host, int port, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(2));
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(host, port, cts.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return false;
        }
    }

    public static string NotRunningMessage(string host, int port) =>
        $"RabbitMQ is not running on {host}:{port} — start it with infra/rabbitmq/start.sh";

    public static async Task EnsureReachableAsync(string host, int port, CancellationToken ct = default)
    {
        if (!await IsReachableAsync(host, port, ct: ct))
            throw new BrokerUnavailableException(NotRunningMessage(host, port));
    }
}

/// <summary>The broker (AMQP or its management API) cannot be reached or refused the work: retry once it is back.</summary>
public sealed class BrokerUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
