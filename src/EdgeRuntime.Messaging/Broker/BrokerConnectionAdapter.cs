using System.Net;
using System.Security.Cryptography.X509Certificates;
using EdgeRuntime.Messaging.PacketSize;
using Microsoft.Extensions.Logging;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace EdgeRuntime.Messaging.Broker;

/// <summary>
/// One client connection of the embedded broker, between MQTTnet's packet reader and its server. It passes packets
/// through, and:
/// <list type="bullet">
/// <item>gives a client that connects with an empty client id and a clean session (mosquitto_sub and mosquitto_pub do,
/// under MQTT 3.1.1 and 5) a unique one instead of refusing it [MQTT-3.1.3-6, MQTT-3.1.3-7];</item>
/// <item>announces the broker's Maximum Packet Size in CONNACK (MQTTnet's server always sends 0, unlimited), so an
/// MQTT 5 client refuses an oversized publish itself;</item>
/// <item>when the channel refused an oversized packet, logs one line with the code, sends an MQTT 5 client DISCONNECT
/// with reason 0x95 (Packet too large) and lets the connection end.</item>
/// </list>
/// </summary>
internal sealed partial class BrokerConnectionAdapter(IMqttChannelAdapter inner, int maxPacketBytes, ILogger logger) : IMqttChannelAdapter
{
    private static readonly TimeSpan DisconnectTimeout = TimeSpan.FromSeconds(1);
    private int _connectSeen;
    private string? _clientId;

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

    public Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken)
    {
        if (packet is MqttConnAckPacket connAck)
        {
            connAck.MaximumPacketSize = (uint)maxPacketBytes;
        }

        return inner.SendPacketAsync(packet, cancellationToken);
    }

    public async Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken)
    {
        MqttPacket packet;
        try
        {
            packet = await inner.ReceivePacketAsync(cancellationToken);
        }
        catch (MqttPacketTooLargeException ex)
        {
            LogPacketTooLarge(logger, ex.PacketBytes, _clientId ?? "a client before CONNECT", RemoteEndPoint?.ToString() ?? "?", ex.MaxPacketBytes, MqttPacketTooLargeException.Code);
            await TellPacketTooLargeAsync();
            throw;
        }

        if (packet is MqttConnectPacket connect && Interlocked.Exchange(ref _connectSeen, 1) == 0)
        {
            if (connect.CleanSession && string.IsNullOrEmpty(connect.ClientId))
            {
                connect.ClientId = $"auto-{Guid.NewGuid():N}";
            }

            _clientId = connect.ClientId;
        }

        return packet;
    }

    public void Dispose() => inner.Dispose();

    private async Task TellPacketTooLargeAsync()
    {
        if (PacketFormatterAdapter.ProtocolVersion != MqttProtocolVersion.V500)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(DisconnectTimeout, TimeProvider.System);
            var disconnect = new MqttDisconnectPacket
            {
                ReasonCode = MqttDisconnectReasonCode.PacketTooLarge,
                ReasonString = $"packets are limited to {maxPacketBytes} bytes",
            };
            await inner.SendPacketAsync(disconnect, timeout.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The client may already be gone; the connection closes either way.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedded MQTT broker: refused a packet of {PacketBytes} bytes from {ClientId} ({Endpoint}): larger than Mqtt:MaxPacketBytes {MaxPacketBytes} ({Code}); nothing of it was read, the connection is closed")]
    private static partial void LogPacketTooLarge(ILogger logger, long packetBytes, string clientId, string endpoint, long maxPacketBytes, string code);
}
