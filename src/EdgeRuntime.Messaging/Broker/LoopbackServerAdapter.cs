using System.Net;
using System.Net.Sockets;
using EdgeRuntime.Messaging.PacketSize;
using Microsoft.Extensions.Logging;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Server;

namespace EdgeRuntime.Messaging.Broker;

/// <summary>
/// The embedded broker's listener: plain TCP on 127.0.0.1 only. It replaces MQTTnet's TCP adapter for one reason: that
/// adapter builds each connection's packet reader itself, with no way to put a size limit under it, and the reader
/// allocates a packet's whole body from the announced length. Here every connection reads through a
/// <see cref="PacketSizeLimitedChannel"/>, and its packets pass through a <see cref="BrokerConnectionAdapter"/>.
/// </summary>
internal sealed class LoopbackServerAdapter(int port, int maxPacketBytes, ILogger logger) : IMqttServerAdapter
{
    private readonly RetainedSubscribeGate _gate = new(TimeProvider.System);
    private Socket? _listener;
    private CancellationTokenSource? _stopping;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    /// <summary>The port the listener is bound to once started: the one asked for, or the OS's pick when that was 0.</summary>
    public int BoundPort { get; private set; }

    /// <exception cref="SocketException">The port is taken or cannot be opened.</exception>
    public Task StartAsync(MqttServerOptions options, IMqttNetLogger mqttLogger)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
            listener.Listen(100);
            BoundPort = ((IPEndPoint)listener.LocalEndPoint!).Port;
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        _stopping = new CancellationTokenSource();
        var stopping = _stopping.Token;
        _ = Task.Run(() => AcceptAsync(listener, options, mqttLogger, stopping), CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync()
    {
        Stop();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        Stop();
        _stopping?.Dispose();
        _stopping = null;
        _listener = null;
    }

    private void Stop()
    {
        _stopping?.Cancel();
        _listener?.Dispose();
    }

    private async Task AcceptAsync(Socket listener, MqttServerOptions options, IMqttNetLogger mqttLogger, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stopping);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // One connection failed between SYN and accept (reset by the peer); the listener is fine.
                continue;
            }

            _ = Task.Run(() => ServeAsync(client, options, mqttLogger), CancellationToken.None);
        }
    }

    private async Task ServeAsync(Socket socket, MqttServerOptions options, IMqttNetLogger mqttLogger)
    {
        try
        {
            socket.NoDelay = true;
            var tcp = new MqttTcpChannel(new NetworkStream(socket, ownsSocket: true), socket.LocalEndPoint, socket.RemoteEndPoint, clientCertificate: null);
            var formatter = new MqttPacketFormatterAdapter(new MqttBufferWriter(options.WriterBufferSize, options.WriterBufferSizeMax));
            using var adapter = new MqttChannelAdapter(new PacketSizeLimitedChannel(tcp, maxPacketBytes), formatter, mqttLogger);
            if (ClientHandler is { } handler)
            {
                // Disposed here as well as by the server: a connection that ends must give back its place in the gate.
                using var connection = new BrokerConnectionAdapter(adapter, maxPacketBytes, _gate, logger);
                await handler(connection);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away; MQTTnet has ended its session the way a lost connection ends it.
        }
        finally
        {
            socket.Dispose();
        }
    }
}
