using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace EdgeRuntime.Testing.Mqtt;

/// <summary>
/// A TCP forwarder between a client and a broker on loopback that a test can cut: every open connection
/// is reset at once (no MQTT DISCONNECT), as when a cable is pulled, while the broker keeps running. With
/// <see cref="Latency"/> it is also a slow link (a cellular modem, a satellite hop): every byte arrives that much
/// later in each direction, in order. Dispose to stop it.
/// </summary>
public sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly ConcurrentDictionary<Socket, byte> _sockets = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private int _accepted;

    private TcpFaultProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The port clients connect to.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The proxy as <c>host:port</c>, the form Mqtt:Server takes.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>One-way delay added to every byte in both directions (default none).</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>Connections accepted so far.</summary>
    public int ConnectionsAccepted => Volatile.Read(ref _accepted);

    /// <summary>Forwards 127.0.0.1:<see cref="Port"/> to 127.0.0.1:<paramref name="targetPort"/>.</summary>
    public static TcpFaultProxy Start(int targetPort) => new(targetPort);

    /// <summary>Forwards to 127.0.0.1:<paramref name="targetPort"/> over a link with <paramref name="latency"/> each way.</summary>
    public static TcpFaultProxy StartSlow(int targetPort, TimeSpan latency) => new(targetPort) { Latency = latency };

    /// <summary>Resets every open connection on both sides.</summary>
    public void DropAllConnections()
    {
        foreach (var socket in _sockets.Keys)
        {
            Reset(socket);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        DropAllConnections();
        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            Interlocked.Increment(ref _accepted);
            _ = Task.Run(() => ForwardAsync(client));
        }
    }

    private Task PumpAsync(NetworkStream from, NetworkStream to) =>
        Latency <= TimeSpan.Zero ? from.CopyToAsync(to, _stop.Token) : DelayedPumpAsync(from, to);

    // Reads stamp each chunk with its due time; a writer releases chunks in order once due, so a slow link still
    // carries many packets at once (latency, not bandwidth).
    private async Task DelayedPumpAsync(NetworkStream from, NetworkStream to)
    {
        var chunks = System.Threading.Channels.Channel.CreateUnbounded<(byte[] Data, long Due)>();
        var writer = Task.Run(async () =>
        {
            await foreach (var (data, due) in chunks.Reader.ReadAllAsync(_stop.Token))
            {
                var wait = TimeProvider.System.GetElapsedTime(TimeProvider.System.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, TimeProvider.System, _stop.Token);
                }

                await to.WriteAsync(data, _stop.Token);
            }
        });
        var buffer = new byte[64 * 1024];
        var latencyTicks = (long)(Latency.TotalSeconds * TimeProvider.System.TimestampFrequency);
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                chunks.Writer.TryWrite((buffer[..read], TimeProvider.System.GetTimestamp() + latencyTicks));
            }
        }
        finally
        {
            chunks.Writer.TryComplete();
        }

        await writer;
    }

    private async Task ForwardAsync(Socket client)
    {
        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _sockets[client] = 0;
        _sockets[upstream] = 0;
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            using var clientStream = new NetworkStream(client, ownsSocket: false);
            using var upstreamStream = new NetworkStream(upstream, ownsSocket: false);
            var up = PumpAsync(clientStream, upstreamStream);
            var down = PumpAsync(upstreamStream, clientStream);
            await Task.WhenAny(up, down);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            _sockets.TryRemove(client, out _);
            _sockets.TryRemove(upstream, out _);
            Reset(client);
            Reset(upstream);
        }
    }
}
