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
/// with reason 0x95 (Packet too large) and lets the connection end;</item>
/// <item>orders a retained PUBLISH and a SUBSCRIBE against those of other connections through
/// <paramref name="gate"/>, so a retained message published during a subscribe to its topic is not lost
/// (<see cref="RetainedSubscribeGate"/>); a connection with a retained last will that ends without DISCONNECT takes
/// a retained publish's place before MQTTnet sends the will (after the last packet, outside any packet's place).</item>
/// </list>
/// MQTTnet's server handles one connection's packets one at a time: it asks for the next packet only when it has
/// dispatched the last. So an operation entered when its packet is handed over ends when the next one is asked for.
/// </summary>
internal sealed partial class BrokerConnectionAdapter(IMqttChannelAdapter inner, int maxPacketBytes, RetainedSubscribeGate gate, ILogger logger) : IMqttChannelAdapter
{
    private static readonly TimeSpan DisconnectTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a packet waits for the other kind of operation to finish before it goes on unordered. Dispatch only
    /// queues packets, so an operation takes milliseconds; this bounds the damage of one that never ends.
    /// </summary>
    private static readonly TimeSpan GateTimeout = TimeSpan.FromSeconds(10);
    private int _connectSeen;
    private int _inGate;
    private bool _retainedWill;
    private string? _clientId;

    public long BytesReceived => inner.BytesReceived;

    public long BytesSent => inner.BytesSent;

    public X509Certificate2 ClientCertificate => inner.ClientCertificate;

    public EndPoint RemoteEndPoint => inner.RemoteEndPoint;

    public EndPoint LocalEndPoint => inner.LocalEndPoint;

    public bool IsSecureConnection => inner.IsSecureConnection;

    public MqttPacketFormatterAdapter PacketFormatterAdapter => inner.PacketFormatterAdapter;

    public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);

    public Task DisconnectAsync(CancellationToken cancellationToken)
    {
        // The server has started dispatching the will (if any) by now: its retained store holds it.
        LeaveGate();
        return inner.DisconnectAsync(cancellationToken);
    }

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
        // The server asks for the next packet: it has finished with the last.
        LeaveGate();
        MqttPacket packet;
        try
        {
            packet = await inner.ReceivePacketAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            if (ex is MqttPacketTooLargeException tooLarge)
            {
                LogPacketTooLarge(logger, tooLarge.PacketBytes, _clientId ?? "a client before CONNECT", RemoteEndPoint?.ToString() ?? "?", tooLarge.MaxPacketBytes, MqttPacketTooLargeException.Code);
                await TellPacketTooLargeAsync();
            }

            // The connection ends without DISCONNECT: MQTTnet publishes the will next, outside any packet of ours.
            await EnterForWillAsync();
            throw;
        }

        if (packet is null)
        {
            // Closed or cancelled (MQTTnet's adapter answers null rather than throwing): the same as above.
            await EnterForWillAsync();
            return packet!;
        }

        if (packet is MqttConnectPacket connect && Interlocked.Exchange(ref _connectSeen, 1) == 0)
        {
            if (connect.CleanSession && string.IsNullOrEmpty(connect.ClientId))
            {
                connect.ClientId = $"auto-{Guid.NewGuid():N}";
            }

            _clientId = connect.ClientId;
            _retainedWill = connect.WillFlag && connect.WillRetain;
        }

        var operation = packet switch
        {
            MqttSubscribePacket => RetainedSubscribeGate.Operation.Subscribe,
            MqttPublishPacket { Retain: true } => RetainedSubscribeGate.Operation.RetainedPublish,
            _ => (RetainedSubscribeGate.Operation?)null,
        };
        if (operation is { } kind)
        {
            await EnterGateAsync(kind, kind == RetainedSubscribeGate.Operation.Subscribe ? "a SUBSCRIBE" : "a retained PUBLISH", cancellationToken);
        }

        return packet;
    }

    public void Dispose()
    {
        LeaveGate();
        inner.Dispose();
    }

    private Task EnterForWillAsync() =>
        _retainedWill ? EnterGateAsync(RetainedSubscribeGate.Operation.RetainedPublish, "a retained last will", CancellationToken.None) : Task.CompletedTask;

    private async Task EnterGateAsync(RetainedSubscribeGate.Operation kind, string what, CancellationToken cancellationToken)
    {
        if (await gate.EnterAsync(kind, GateTimeout, cancellationToken))
        {
            Volatile.Write(ref _inGate, 1);
        }
        else
        {
            LogGateTimeout(logger, what, _clientId ?? "?", GateTimeout.TotalSeconds);
        }
    }

    private void LeaveGate()
    {
        if (Interlocked.Exchange(ref _inGate, 0) == 1)
        {
            gate.Exit();
        }
    }

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedded MQTT broker: {Operation} from {ClientId} waited {Seconds} s for the other clients' retained publishes or subscribes to finish and goes on unordered; a retained message published meanwhile may not reach a new subscriber")]
    private static partial void LogGateTimeout(ILogger logger, string operation, string clientId, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedded MQTT broker: refused a packet of {PacketBytes} bytes from {ClientId} ({Endpoint}): larger than Mqtt:MaxPacketBytes {MaxPacketBytes} ({Code}); nothing of it was read, the connection is closed")]
    private static partial void LogPacketTooLarge(ILogger logger, long packetBytes, string clientId, string endpoint, long maxPacketBytes, string code);
}
