using EdgeRuntime.Sensors.Vision;

namespace EdgeRuntime.Sensors.Tests.Vision;

public sealed class VirtualLoopTests
{
    private static Detection At(float x, float y) => new(x - 0.05f, y - 0.05f, x + 0.05f, y + 0.05f, 1);

    [Fact]
    public void ObjectsCrossingAVerticalLine_CountedOncePerCrossingByDirection()
    {
        var loop = new VirtualLoop(0.5f, 0f, 0.5f, 1f);
        float[] path = [0.2f, 0.3f, 0.4f, 0.45f, 0.55f, 0.6f, 0.7f, 0.6f, 0.45f, 0.3f];
        foreach (var x in path)
        {
            // Two objects: one moving along the path at y 0.3, one parked left of the line at y 0.8.
            loop.Observe([At(x, 0.3f), At(0.1f, 0.8f)]);
        }

        Assert.Equal(2, loop.Total);
        Assert.Equal(1, loop.Forward);
        Assert.Equal(1, loop.Backward);
    }

    [Fact]
    public void CrossingBesideTheSegment_NotCounted()
    {
        var loop = new VirtualLoop(0.5f, 0f, 0.5f, 0.5f);
        loop.Observe([At(0.4f, 0.8f)]);
        loop.Observe([At(0.6f, 0.8f)]);
        Assert.Equal(0, loop.Total);
    }
}
