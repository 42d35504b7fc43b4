using System.Net;
using System.Net.Sockets;

namespace LaunchNotify.Integration.Tests.Federation;

/// <summary>
/// A loopback TCP relay the test controls, between a link's shovel and the counterpart's TLS listener (TLS passes
/// through untouched). <see cref="Cut"/> drops every relayed connection and refuses new ones, as a severed line would;
/// <see cref="Heal"/> accepts again. <see cref="HoldOpenConnections"/> turns the connections open now into black holes
/// (kept open, nothing passes either way, as a dead peer behind a stateful firewall or a frozen node looks) while new
/// connections relay normally.
/// </summary>
public sealed class TcpLinkProxy : IAsyncDisposable
{
    private readonly int _target;
    private readonly object _gate = new();
    private readonly List<TcpClient> _open = [];
    private readonly HashSet<TcpClient> _held = [];
    private int _accepted;
    private TcpListener? _listener;
    private CancellationTokenSource _cts = new();

    public TcpLinkProxy(int targetPort)
    {
        _target = targetPort;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Heal();
    }

    public int Port { get; }

    public bool IsCut { get; private set; }

    /// <summary>Connections relayed since the proxy was made (a reconnecting shovel adds one).</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>The connections open now stop carrying anything, both ways, until their ends close them; returns how many.</summary>
    public int HoldOpenConnections()
    {
        lock (_gate)
        {
            foreach (var c in _open) _held.Add(c);
            return _open.Count / 2;
        }
    }

    public void Heal()
    {
        lock (_gate)
        {
            IsCut = false;
            _cts = new CancellationTokenSource();
            _listener = new TcpListener(IPAddress.Loopback, Port);
            _listener.Start();
            _ = AcceptAsync(_listener, _cts.Token);
        }
    }

    public void Cut()
    {
        lock (_gate)
        {
            IsCut = true;
            _cts.Cancel();
            _listener?.Stop();
            _listener = null;
            foreach (var c in _open) c.Dispose();
            _open.Clear();
            _held.Clear();
        }
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = RelayAsync(inbound, ct);
        }
    }

    private async Task RelayAsync(TcpClient inbound, CancellationToken ct)
    {
        var outbound = new TcpClient();
        lock (_gate)
        {
            if (IsCut) { inbound.Dispose(); outbound.Dispose(); return; }
            _open.Add(inbound);
            _open.Add(outbound);
        }
        Interlocked.Increment(ref _accepted);
        try
        {
            await outbound.ConnectAsync(IPAddress.Loopback, _target, ct);
            await Task.WhenAny(PumpAsync(inbound, outbound, ct), PumpAsync(outbound, inbound, ct));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // Cut, or one side closed: both sides are closed below.
        }
        finally
        {
            lock (_gate)
            {
                _open.Remove(inbound);
                _open.Remove(outbound);
                _held.Remove(inbound);
                _held.Remove(outbound);
            }
            inbound.Dispose();
            outbound.Dispose();
        }
    }

    /// <summary>Copies one direction until its source closes; what arrives on a held connection is dropped.</summary>
    private async Task PumpAsync(TcpClient from, TcpClient to, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        var source = from.GetStream();
        var destination = to.GetStream();
        while (true)
        {
            var read = await source.ReadAsync(buffer, ct);
            if (read == 0) return;
            bool held;
            lock (_gate) held = _held.Contains(from);
            if (!held) await destination.WriteAsync(buffer.AsMemory(0, read), ct);
        }
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        return ValueTask.CompletedTask;
    }
}
