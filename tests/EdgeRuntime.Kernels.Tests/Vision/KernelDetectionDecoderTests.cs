using EdgeRuntime.Kernels.Tests.Backends;
using EdgeRuntime.Kernels.Vision;
using EdgeRuntime.Sensors.Vision;

namespace EdgeRuntime.Kernels.Tests.Vision;

/// <summary>
/// Detector post-processing on the accelerator against the C# path: <see cref="SsdBoxDecoder"/> then
/// <see cref="UltraFaceDecoder"/> (threshold, clamp, <see cref="NonMaxSuppression"/>). Same boxes in the same order;
/// coordinates bit-identical on the CPU accelerator, within 10⁻⁶ + 10⁻⁵·|x| on a GPU (its exp differs in the last bits).
/// </summary>
public abstract class KernelDetectionDecoderContract(KernelBackend backend)
{
    private static readonly float[] Priors = UltraFacePriors.Generate();

    private static int PriorCount => Priors.Length / 4;

    [Theory]
    [InlineData(0.7f, 0.3f, 200, 1)]
    [InlineData(0.5f, 0.5f, 200, 2)]
    [InlineData(0.0f, 0.3f, 5000, 3)]
    [InlineData(0.2f, 0.1f, 5, 4)]
    public void Decode_RandomHeadOutputs_SameDetectionsAsCSharpPath(float scoreThreshold, float iouThreshold, int maxDetections, int seed)
    {
        var (scores, locations) = RandomHead(seed);
        using var decoder = new KernelDetectionDecoder(backend.Kernels, Priors);
        var actual = decoder.Decode(scores, locations, new DetectionThresholds(scoreThreshold, iouThreshold, maxDetections));
        var expected = new UltraFaceDecoder(scoreThreshold, iouThreshold, maxDetections).Decode(scores, SsdBoxDecoder.Decode(locations, Priors));
        AssertSame(expected, actual, scores);
        Assert.NotEmpty(actual);
    }

    [Fact]
    public void Decode_EqualScores_KeptInPriorOrder()
    {
        var (scores, locations) = RandomHead(5);
        for (var i = 0; i < PriorCount; i++)
        {
            scores[(i * 2) + 1] = 0.9f;
        }

        using var decoder = new KernelDetectionDecoder(backend.Kernels, Priors);
        var actual = decoder.Decode(scores, locations, new DetectionThresholds(0.7f, 0.3f, 50));
        AssertSame(new UltraFaceDecoder(0.7f, 0.3f, 50).Decode(scores, SsdBoxDecoder.Decode(locations, Priors)), actual, scores);
        Assert.Equal(actual.Select(d => d.Prior).Order(), actual.Select(d => d.Prior));
    }

    [Fact]
    public void Decode_NothingAboveThreshold_Empty()
    {
        var (scores, locations) = RandomHead(6);
        using var decoder = new KernelDetectionDecoder(backend.Kernels, Priors);
        Assert.Empty(decoder.Decode(scores, locations, new DetectionThresholds(ScoreThreshold: 1f)));
    }

    [Fact]
    public void Decode_OutputsOfAnotherModel_OneLine()
    {
        using var decoder = new KernelDetectionDecoder(backend.Kernels, Priors);
        var error = Assert.Throws<InvalidDataException>(() => decoder.Decode(new float[10], new float[20], new DetectionThresholds()));
        Assert.Equal("detection decoder: 10 scores and 20 box values for 4420 priors of 2 classes", error.Message);
    }

    /// <summary>UltraFace-like head outputs: softmax pairs (background, face) and regressions around zero.</summary>
    internal static (float[] Scores, float[] Locations) RandomHead(int seed)
    {
        var random = new Random(seed);
        var scores = new float[PriorCount * 2];
        var locations = new float[PriorCount * 4];
        for (var i = 0; i < PriorCount; i++)
        {
            var face = random.NextSingle();
            scores[i * 2] = 1 - face;
            scores[(i * 2) + 1] = face;
        }

        for (var i = 0; i < locations.Length; i++)
        {
            locations[i] = ((random.NextSingle() * 2) - 1) * 3;
        }

        return (scores, locations);
    }

    internal static void AssertSame(IReadOnlyList<Detection> expected, IReadOnlyList<DetectedBox> actual, float[] scores, KernelBackend? backend = null)
    {
        Assert.Equal(expected.Count, actual.Count);
        var exact = backend?.BitExact ?? true;
        for (var i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            var a = actual[i];
            Assert.Equal(e.Score, a.Score);
            Assert.Equal(scores[(a.Prior * 2) + 1], a.Score);
            Compare.Within([e.Left, e.Top, e.Right, e.Bottom], [a.Left, a.Top, a.Right, a.Bottom], exact ? 0 : 1e-6, exact ? 0 : 1e-5, $"detection {i} (prior {a.Prior})");
        }
    }

    private void AssertSame(IReadOnlyList<Detection> expected, IReadOnlyList<DetectedBox> actual, float[] scores) =>
        AssertSame(expected, actual, scores, backend);
}

[Collection(nameof(CpuBackend))]
public sealed class KernelDetectionDecoderTests(CpuBackend backend) : KernelDetectionDecoderContract(backend);

[Collection(nameof(CudaBackend))]
[Trait("requires", "gpu")]
public sealed class KernelDetectionDecoderCudaTests(CudaBackend backend) : KernelDetectionDecoderContract(backend);
