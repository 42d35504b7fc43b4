using System.Net;
using System.Net.Sockets;

namespace LaunchNotify.Bench.Faults;

/// <summary>
/// A loopback TCP proxy the fault suite puts between a node and the broker, to cut that one link: <see cref="Drop"/>
/// resets every connection through it and refuses new ones (a cable pulled, a firewall rejecting), <see cref="Hold"/>
/// keeps the connections open but forwards nothing (a black hole: only heartbeats notice), <see cref="Heal"/> forwards again.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private enum Mode { Forward, Drop, Hold }

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(Socket Client, Socket Server)> _links = [];
    private readonly object _gate = new();
    private readonly Task _accepting;
    private volatile Mode _mode = Mode.Forward;
    private TaskCompletionSource _flowing = Open();

    public TcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync(_stop.Token);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted since the proxy started (each reconnection of the node counts).</summary>
    public int Accepted { get; private set; }

    public void Drop()
    {
        lock (_gate)
        {
            _mode = Mode.Drop;
            foreach (var (client, server) in _links)
            {
                Reset(client);
                Reset(server);
            }
            _links.Clear();
        }
    }

    public void Hold()
    {
        lock (_gate)
        {
            _mode = Mode.Hold;
            _flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Heal()
    {
        lock (_gate)
        {
            _mode = Mode.Forward;
            _flowing.TrySetResult();
        }
    }

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private async Task AcceptAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            if (_mode == Mode.Drop)
            {
                Reset(client);
                continue;
            }
            _ = LinkAsync(client, ct);
        }
    }

    private async Task LinkAsync(Socket client, CancellationToken ct)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _targetPort, ct);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // The broker is down: the node sees its connection refused, as it would without the proxy.
            Reset(client);
            server.Dispose();
            return;
        }
        lock (_gate)
        {
            if (_mode == Mode.Drop)
            {
                Reset(client);
                Reset(server);
                return;
            }
            _links.Add((client, server));
            Accepted++;
        }
        await Task.WhenAll(PumpAsync(client, server, ct), PumpAsync(server, client, ct));
        lock (_gate)
            _links.Remove((client, server));
        Reset(client);
        Reset(server);
    }

    private async Task PumpAsync(Socket from, Socket to, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, ct);
                if (read == 0)
                    break;
                Task flowing;
                lock (_gate)
                    flowing = _flowing.Task;
                await flowing.WaitAsync(ct); // held: the bytes wait here until the link heals
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, ct);
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Dropped (by Drop, the peer or the end of the run): the other pump ends with it.
            Reset(from);
            Reset(to);
        }
    }

    /// <summary>Closes with RST instead of FIN, as a broken link looks to both ends.</summary>
    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Drop();
        await _accepting;
        _stop.Dispose();
    }
}
