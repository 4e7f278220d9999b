using EdgeRuntime.Core.Vision;
using EdgeRuntime.Sensors.Camera;
using EdgeRuntime.Sensors.Samples;

namespace EdgeRuntime.Sensors.Tests.Camera;

public sealed class ImagePreprocessorTests
{
    [Fact]
    public void Prepare_TwoByOneToFourByOne_HalfPixelCentresAndClampedEdges()
    {
        // Source pixels 0 and 200 (red); output x samples sx = (x + ½)·2/4 − ½ = −¼, ¼, ¾, 1¼ → clamped 0, ¼, ¾, 1.
        var pre = new ImagePreprocessor(4, 1, Mean: 0, Scale: 1);
        var output = pre.Prepare(new RgbFrame(2, 1, [0, 0, 0, 200, 0, 0], "f"));
        Assert.Equal([0f, 50f, 150f, 200f], output[..4]);
        Assert.All(output[4..], v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Prepare_SpanForm_SameAsFrameForm()
    {
        var pixels = new byte[7 * 5 * 3];
        new Random(1).NextBytes(pixels);
        var pre = new ImagePreprocessor(new FramePreprocessing(3, 4, 127, 128, Grayscale: true));
        var span = new float[12];
        pre.Prepare(pixels, 7, 5, span);
        Assert.Equal(pre.Prepare(new RgbFrame(7, 5, pixels, "f")), span);
    }

    [Fact]
    public void Prepare_FrameShorterThanItsSize_OneLine()
    {
        var pre = new ImagePreprocessor(4, 4);
        var error = Assert.Throws<ArgumentException>(() => pre.Prepare(new RgbFrame(2, 2, new byte[11], "f")));
        Assert.Equal("frame pre-processing: a 2x2 RGB frame has 12 bytes, got 11", error.Message);
    }
}
