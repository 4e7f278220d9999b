using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;

namespace EdgeRuntime.Messaging.PacketSize;

/// <summary>
/// Builds client connections as MQTTnet's own factory does (TCP, TLS), with a <see cref="PacketSizeLimitedChannel"/>
/// under the packet reader when the options carry a Maximum Packet Size: a broker that ignores the size the client
/// announced in CONNECT still cannot make the client allocate a larger packet.
/// </summary>
/// <param name="onTooLarge">Told the announced size of a refused packet and the limit (for one log line).</param>
public sealed class PacketSizeLimitedClientAdapterFactory(Action<long, long>? onTooLarge = null) : IMqttClientAdapterFactory
{
    public IMqttChannelAdapter CreateClientAdapter(MqttClientOptions options, MqttPacketInspector packetInspector, IMqttNetLogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ChannelOptions is not MqttClientTcpOptions)
        {
            throw new NotSupportedException("Only TCP (with or without TLS) broker connections are supported.");
        }

        var limit = options.MaximumPacketSize;
        var tcp = new MqttTcpChannel(options);
        var channel = limit == 0 ? (MQTTnet.Channel.IMqttChannel)tcp : new PacketSizeLimitedChannel(tcp, limit, size => onTooLarge?.Invoke(size, limit));
        var formatter = new MqttPacketFormatterAdapter(options.ProtocolVersion, new MqttBufferWriter(options.WriterBufferSize, options.WriterBufferSizeMax));
        return new MqttChannelAdapter(channel, formatter, logger)
        {
            AllowPacketFragmentation = options.AllowPacketFragmentation,
            PacketInspector = packetInspector,
        };
    }
}
