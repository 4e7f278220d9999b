using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Server;
using MQTTnet.Server.Internal.Adapter;

namespace EdgeRuntime.Messaging.Broker;

/// <summary>
/// MQTTnet's TCP listener, with one addition the protocol allows and common tools rely on: a client that
/// connects with an empty client id and a clean session (mosquitto_sub and mosquitto_pub do, under MQTT
/// 3.1.1 and 5) is given a unique one instead of being refused [MQTT-3.1.3-6, MQTT-3.1.3-7].
/// </summary>
internal sealed class ClientIdAssigningServerAdapter : IMqttServerAdapter
{
    private readonly MqttTcpServerAdapter _inner = new();

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        _inner.ClientHandler = channel => ClientHandler?.Invoke(new ConnectRewritingChannel(channel)) ?? Task.CompletedTask;
        return _inner.StartAsync(options, logger);
    }

    public Task StopAsync() => _inner.StopAsync();

    public void Dispose() => _inner.Dispose();

    /// <summary>Passes everything through, filling in the client id of the CONNECT packet when it is empty.</summary>
    private sealed class ConnectRewritingChannel(IMqttChannelAdapter inner) : IMqttChannelAdapter
    {
        private int _connectSeen;

        public long BytesReceived => inner.BytesReceived;

        public long BytesSent => inner.BytesSent;

        public X509Certificate2 ClientCertificate => inner.ClientCertificate;

        public EndPoint RemoteEndPoint => inner.RemoteEndPoint;

        public EndPoint LocalEndPoint => inner.LocalEndPoint;

        public bool IsSecureConnection => inner.IsSecureConnection;

        public MqttPacketFormatterAdapter PacketFormatterAdapter => inner.PacketFormatterAdapter;

        public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);

        public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);

        public void ResetStatistics() => inner.ResetStatistics();

        public Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken) => inner.SendPacketAsync(packet, cancellationToken);

        public async Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken)
        {
            var packet = await inner.ReceivePacketAsync(cancellationToken);
            if (packet is MqttConnectPacket { CleanSession: true } connect &&
                string.IsNullOrEmpty(connect.ClientId) &&
                Interlocked.Exchange(ref _connectSeen, 1) == 0)
            {
                connect.ClientId = $"auto-{Guid.NewGuid():N}";
            }

            return packet;
        }

        public void Dispose() => inner.Dispose();
    }
}
