using EdgeRuntime.Sensors.Vision;

namespace EdgeRuntime.Sensors.Tests.Vision;

public sealed class SsdBoxDecoderTests
{
    [Fact]
    public void Decode_ZeroRegression_ThePriorInCornerForm()
    {
        var corners = SsdBoxDecoder.Decode(new float[4], [0.5f, 0.25f, 0.2f, 0.1f]);
        Assert.Equal([0.4f, 0.2f, 0.6f, 0.3f], corners);
    }

    [Fact]
    public void Decode_Regression_ShiftsByVarianceTimesSizeAndScalesByExp()
    {
        // dx = 1 moves the centre by cv·w = 0.1·0.2; dw = ln 2 / 0.2 doubles the width.
        var corners = SsdBoxDecoder.Decode([1f, 0f, MathF.Log(2) / 0.2f, 0f], [0.5f, 0.5f, 0.2f, 0.2f]);
        Assert.Equal(0.52f - 0.2f, corners[0], 1e-6f);
        Assert.Equal(0.52f + 0.2f, corners[2], 1e-6f);
        Assert.Equal(0.4f, corners[1], 1e-6f);
    }

    [Fact]
    public void Decode_CountsDisagree_OneLine()
    {
        var error = Assert.Throws<InvalidDataException>(() => SsdBoxDecoder.Decode(new float[8], new float[4]));
        Assert.Equal("SSD decode: 2 regressions for 1 priors", error.Message);
    }
}
