using EdgeRuntime.Messaging.PacketSize;

namespace EdgeRuntime.Messaging.Tests.PacketSize;

public sealed class MqttFrameSizeGuardTests
{
    /// <summary>A PUBLISH fixed header for a body of <paramref name="remainingLength"/> bytes (the body itself follows separately).</summary>
    private static byte[] Header(long remainingLength)
    {
        var bytes = new List<byte> { 0x30 };
        do
        {
            var encoded = (byte)(remainingLength % 128);
            remainingLength /= 128;
            bytes.Add(remainingLength > 0 ? (byte)(encoded | 0x80) : encoded);
        }
        while (remainingLength > 0);
        return [.. bytes];
    }

    [Fact]
    public void Observe_PacketsWithinTheLimit_PassWholeOrByteByByte()
    {
        var guard = new MqttFrameSizeGuard(1000);
        byte[] stream = [.. Header(10), .. new byte[10], 0xC0, 0x00, .. Header(995), .. new byte[995]];

        Assert.Null(guard.Observe(stream));
        var byteByByte = new MqttFrameSizeGuard(1000);
        Assert.All(stream, b => Assert.Null(byteByByte.Observe([b])));
    }

    [Fact]
    public void Observe_ExactlyTheLimit_Passes_OneByteMore_IsRefusedWithItsSize()
    {
        // 1 type byte + 2 length bytes + 997 = 1000.
        Assert.Null(new MqttFrameSizeGuard(1000).Observe(Header(997)));
        Assert.Equal(1001, new MqttFrameSizeGuard(1000).Observe(Header(998)));
    }

    [Fact]
    public void Observe_OversizedLength_RefusedOnTheByteThatCompletesIt_BeforeAnyBody()
    {
        // 200 MB announced: four length bytes; the verdict comes with the fourth, when nothing of the body has been read.
        var header = Header(200_000_000);
        Assert.Equal(5, header.Length);
        var guard = new MqttFrameSizeGuard(1 << 20);

        Assert.Null(guard.Observe(header.AsSpan(0, 2)));
        Assert.Null(guard.Observe(header.AsSpan(2, 1)));
        Assert.Null(guard.Observe(header.AsSpan(3, 1)));
        Assert.Equal(200_000_005, guard.Observe(header.AsSpan(4, 1)));
    }

    [Fact]
    public void Observe_OversizedPacketAfterGoodOnes_Found()
    {
        var guard = new MqttFrameSizeGuard(64);
        byte[] stream = [.. Header(20), .. new byte[20], 0xC0, 0x00, .. Header(100)];

        Assert.Equal(102, guard.Observe(stream));
    }

    [Fact]
    public void Observe_BodyBytesThatLookLikeHeaders_AreNotMistakenForOne()
    {
        // A body full of 0xFF would read as a huge length if the guard lost track of where the body ends.
        var guard = new MqttFrameSizeGuard(100);
        byte[] body = [.. Enumerable.Repeat((byte)0xFF, 50)];

        Assert.Null(guard.Observe([.. Header(50), .. body.AsSpan(0, 7)]));
        Assert.Null(guard.Observe(body.AsSpan(7)));
        Assert.Null(guard.Observe([.. Header(3), 1, 2, 3]));
    }
}
