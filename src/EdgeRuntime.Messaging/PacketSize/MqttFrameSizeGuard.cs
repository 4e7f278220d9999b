namespace EdgeRuntime.Messaging.PacketSize;

/// <summary>
/// Follows MQTT framing in the bytes read from one connection — a fixed header byte, the Remaining Length as a variable
/// byte integer of one to four bytes, then that many bytes of body (OASIS MQTT 5.0, section 2.1) — and says, as soon as a
/// packet's Remaining Length is known and before any of its body is read, whether the packet is larger than the limit.
/// The size is the whole packet, 1 + length bytes + Remaining Length, as MQTT 5's Maximum Packet Size counts it
/// (section 3.1.2.11.4). A pure state machine over the byte stream; one per connection direction, not thread-safe.
/// </summary>
/// <param name="maxPacketBytes">The largest packet allowed, in bytes.</param>
public sealed class MqttFrameSizeGuard(long maxPacketBytes)
{
    private Stage _stage = Stage.FixedHeader;
    private int _lengthBytes;
    private long _remainingLength;
    private long _multiplier;
    private long _bodyLeft;

    private enum Stage
    {
        FixedHeader,
        RemainingLength,
        Body,
    }

    /// <summary>The limit, in bytes.</summary>
    public long MaxPacketBytes { get; } = maxPacketBytes;

    /// <summary>
    /// Takes the next bytes of the stream, in order. Returns the size in bytes of the first packet among them whose
    /// Remaining Length puts it over <see cref="MaxPacketBytes"/>, or null when every packet so far fits.
    /// </summary>
    public long? Observe(ReadOnlySpan<byte> bytes)
    {
        var at = 0;
        while (at < bytes.Length)
        {
            switch (_stage)
            {
                case Stage.FixedHeader:
                    at++;
                    _stage = Stage.RemainingLength;
                    _lengthBytes = 0;
                    _remainingLength = 0;
                    _multiplier = 1;
                    break;

                case Stage.RemainingLength:
                    var encoded = bytes[at++];
                    _lengthBytes++;
                    _remainingLength += (encoded & 0x7F) * _multiplier;
                    _multiplier *= 128;
                    if ((encoded & 0x80) != 0 && _lengthBytes < 4)
                    {
                        break;
                    }

                    // A fourth byte that still continues is malformed; the packet reader refuses it before reading on.
                    var size = 1 + _lengthBytes + _remainingLength;
                    if (size > MaxPacketBytes)
                    {
                        return size;
                    }

                    _bodyLeft = _remainingLength;
                    _stage = _bodyLeft == 0 ? Stage.FixedHeader : Stage.Body;
                    break;

                case Stage.Body:
                    var taken = (int)Math.Min(_bodyLeft, bytes.Length - at);
                    at += taken;
                    _bodyLeft -= taken;
                    if (_bodyLeft == 0)
                    {
                        _stage = Stage.FixedHeader;
                    }

                    break;
            }
        }

        return null;
    }
}
