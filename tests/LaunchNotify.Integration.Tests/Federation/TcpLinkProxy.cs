using System.Net;
using System.Net.Sockets;

namespace LaunchNotify.Integration.Tests.Federation;

/// <summary>
/// A loopback TCP relay the test controls, between a link's shovel and the counterpart's TLS listener (TLS passes
/// through untouched). <see cref="Cut"/> drops every relayed connection and refuses new ones, as a severed line would;
/// <see cref="Heal"/> accepts again.
/// </summary>
public sealed class TcpLinkProxy : IAsyncDisposable
{
    private readonly int _target;
    private readonly object _gate = new();
    private readonly List<TcpClient> _open = [];
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
        try
        {
            await outbound.ConnectAsync(IPAddress.Loopback, _target, ct);
            var a = inbound.GetStream();
            var b = outbound.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, ct), b.CopyToAsync(a, ct));
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
            }
            inbound.Dispose();
            outbound.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        return ValueTask.CompletedTask;
    }
}
