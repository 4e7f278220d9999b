using EdgeRuntime.Sensors.Vision;

namespace EdgeRuntime.Sensors.Tests.Vision;

/// <summary>The priors against upstream's generate_priors at 320 × 240 (the export's embedded constants are checked in EdgeRuntime.Kernels.Tests through the decoded boxes).</summary>
public sealed class UltraFacePriorsTests
{
    [Fact]
    public void Generate_320x240_4420PriorsInUpstreamOrder()
    {
        var priors = UltraFacePriors.Generate();
        Assert.Equal(4420 * 4, priors.Length);

        // First cell of the stride-8 map (40 × 30): three squares of 10, 16 and 24 pixels.
        Assert.Equal([0.5f / 40, 0.5f / 30, 10f / 320, 10f / 240], priors[..4]);
        Assert.Equal([0.5f / 40, 0.5f / 30, 24f / 320, 24f / 240], priors[8..12]);

        // Last prior: stride 64 gives a 5 × 4 map; 256 pixels is wider than 240 and clamps to 1.
        Assert.Equal([4.5f / 5, 3.5f / 4, 256f / 320, 1f], priors[^4..]);
    }

    [Fact]
    public void Generate_640x480_MapsFromCeilingOfSizeOverStride() =>
        Assert.Equal(((80 * 60 * 3) + (40 * 30 * 2) + (20 * 15 * 2) + (10 * 8 * 3)) * 4, UltraFacePriors.Generate(640, 480).Length);
}
