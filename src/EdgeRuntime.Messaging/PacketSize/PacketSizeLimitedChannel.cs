using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Channel;

namespace EdgeRuntime.Messaging.PacketSize;

/// <summary>
/// An MQTTnet channel that refuses, from the framing alone, a packet larger than a limit. MQTTnet's packet reader
/// allocates a packet's whole body as soon as it has read the Remaining Length (<c>new byte[bodyLength]</c> in
/// <c>MqttChannelAdapter</c>, up to 256 MiB), and neither its client nor its server has a setting that bounds it; this
/// channel sits under the reader, sees the length bytes as they are read and throws
/// <see cref="MqttPacketTooLargeException"/> on the read that completes an oversized length, so the reader never
/// allocates the body. Owns <paramref name="inner"/>.
/// </summary>
/// <param name="inner">The transport (TCP, TLS).</param>
/// <param name="maxPacketBytes">The largest packet accepted, in bytes.</param>
/// <param name="onTooLarge">Told the announced packet size before the exception is thrown (for one log line).</param>
public sealed class PacketSizeLimitedChannel(IMqttChannel inner, long maxPacketBytes, Action<long>? onTooLarge = null) : IMqttChannel
{
    private readonly MqttFrameSizeGuard _guard = new(maxPacketBytes);

    public X509Certificate2 ClientCertificate => inner.ClientCertificate;

    public EndPoint RemoteEndPoint => inner.RemoteEndPoint;

    public EndPoint LocalEndPoint => inner.LocalEndPoint;

    public bool IsSecureConnection => inner.IsSecureConnection;

    public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);

    public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);

    public async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        var read = await inner.ReadAsync(buffer, offset, count, cancellationToken);
        if (_guard.Observe(buffer.AsSpan(offset, read)) is { } size)
        {
            onTooLarge?.Invoke(size);
            throw new MqttPacketTooLargeException(size, maxPacketBytes);
        }

        return read;
    }

    public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, isEndOfPacket, cancellationToken);

    public void Dispose() => inner.Dispose();
}
