using EdgeRuntime.Core.Vision;
using EdgeRuntime.Pipelines.Configuration;
using EdgeRuntime.Pipelines.Stages;
using EdgeRuntime.Sensors.Camera;
using EdgeRuntime.Sensors.Samples;

namespace EdgeRuntime.Pipelines.Tests.Stages;

public sealed class DetectorStageTests
{
    [Fact]
    public void Configure_GrayscaleDetector_PreprocessorComesFromTheSeam()
    {
        var factory = new CountingFactory();
        var stage = new DetectorStage(new StageOptions { Type = StageKind.Heatmap, PixelMean = 0, PixelScale = 255 }, factory);
        Assert.Null(stage.Configure(new ServedModelFacts("blobs", 1, new Dictionary<string, int[]> { ["image"] = [1, 1, 64, 48] }, new Dictionary<string, string>())));
        Assert.Equal([new FramePreprocessing(48, 64, 0, 255, Grayscale: true)], factory.Asked);
        var frame = new RgbFrame(2, 2, [0, 0, 0, 255, 255, 255, 0, 0, 0, 255, 255, 255], "f");
        var input = stage.Prepare(new FrameSample("cam", DateTimeOffset.UnixEpoch, frame, 0))!;
        Assert.Equal([1L, 64, 48], input.Shape);
        Assert.Equal(0.5f, input.Data.Average(), 1e-6f);
    }

    /// <summary>The C# path behind the seam, remembering what it was asked for.</summary>
    private sealed class CountingFactory : IFramePreprocessorFactory
    {
        public List<FramePreprocessing> Asked { get; } = [];

        public string Description => "C# (counted)";

        public IFramePreprocessor For(FramePreprocessing settings)
        {
            Asked.Add(settings);
            return new ImagePreprocessor(settings);
        }
    }
}
