using EdgeRuntime.Core.Vision;
using EdgeRuntime.Kernels.Tests.Backends;
using EdgeRuntime.Kernels.Vision;
using EdgeRuntime.Sensors.Camera;

namespace EdgeRuntime.Kernels.Tests.Vision;

/// <summary>
/// The pre-processing kernel against the C# path (<see cref="ImagePreprocessor"/>, float64) on random frames:
/// downscaling, upscaling, odd sizes, one pixel, grayscale. Tolerance 10⁻⁵ absolute on values of about ±1 (the
/// kernel works in float32; measured differences are near 10⁻⁷); same-size copies are bit-identical.
/// </summary>
public abstract class KernelFramePreprocessorContract(KernelBackend backend)
{
    private const double Tolerance = 1e-5;

    [Theory]
    [InlineData(640, 480, 320, 240, false)]
    [InlineData(1920, 1080, 320, 240, false)]
    [InlineData(1280, 720, 160, 120, true)]
    [InlineData(333, 177, 31, 17, false)]
    [InlineData(7, 5, 320, 240, false)]
    [InlineData(1, 1, 4, 3, true)]
    [InlineData(5, 3, 1, 1, false)]
    public void Prepare_RandomFrame_MatchesCSharpPath(int width, int height, int outWidth, int outHeight, bool grayscale)
    {
        var settings = new FramePreprocessing(outWidth, outHeight, 127f, 128f, grayscale);
        var frame = RandomData.Frame(width, height, width + height);
        var expected = new float[settings.OutputLength];
        new ImagePreprocessor(settings).Prepare(frame, width, height, expected);
        using var kernel = new KernelFramePreprocessor(backend.Kernels, settings);
        var actual = new float[settings.OutputLength];
        kernel.Prepare(frame, width, height, actual);
        TestContext.Current.TestOutputHelper?.WriteLine($"max |kernel − C#| = {Compare.MaxDifference(expected, actual):E2}");
        Compare.Within(expected, actual, Tolerance, 0, $"{width}x{height} → {outWidth}x{outHeight}");
    }

    [Fact]
    public void Prepare_SameSize_BitIdenticalToCSharpPath()
    {
        var settings = new FramePreprocessing(64, 48, 127f, 128f);
        var frame = RandomData.Frame(64, 48, 3);
        var expected = new float[settings.OutputLength];
        new ImagePreprocessor(settings).Prepare(frame, 64, 48, expected);
        using var kernel = new KernelFramePreprocessor(backend.Kernels, settings);
        var actual = new float[settings.OutputLength];
        kernel.Prepare(frame, 64, 48, actual);
        Compare.Within(expected, actual, 0, 0, "same-size copy");
    }

    [Fact]
    public void Prepare_LargeThenSmallFrame_SecondResultOnlyFromSecondFrame()
    {
        var settings = new FramePreprocessing(32, 24, 0f, 255f);
        using var kernel = new KernelFramePreprocessor(backend.Kernels, settings);
        var scratch = new float[settings.OutputLength];
        kernel.Prepare(RandomData.Frame(400, 300, 1), 400, 300, scratch);
        var small = RandomData.Frame(40, 30, 2);
        var expected = new float[settings.OutputLength];
        new ImagePreprocessor(settings).Prepare(small, 40, 30, expected);
        kernel.Prepare(small, 40, 30, scratch);
        Compare.Within(expected, scratch, Tolerance, 0, "second frame");
    }

    [Fact]
    public void Prepare_FrameBytesDisagreeWithSize_OneLine()
    {
        using var kernel = new KernelFramePreprocessor(backend.Kernels, new FramePreprocessing(4, 4));
        var error = Assert.Throws<ArgumentException>(() => kernel.Prepare(new byte[10], 2, 2, new float[48]));
        Assert.Equal("frame pre-processing: a 2x2 RGB frame has 12 bytes, got 10", error.Message);
        error = Assert.Throws<ArgumentException>(() => kernel.Prepare(new byte[12], 2, 2, new float[47]));
        Assert.Equal("frame pre-processing: the destination holds 47 floats, 3x4x4 needs 48", error.Message);
    }

    [Fact]
    public void For_SameSettingsTwice_OneKernelPreprocessorOwnedByTheFactory()
    {
        using var factory = new KernelFramePreprocessorFactory(backend.Kernels);
        var settings = new FramePreprocessing(320, 240);
        Assert.Same(factory.For(settings), factory.For(settings with { }));
        Assert.NotSame(factory.For(settings), factory.For(settings with { Grayscale = true }));
        Assert.StartsWith("ILGPU kernel on ", factory.Description, StringComparison.Ordinal);
    }
}

[Collection(nameof(CpuBackend))]
public sealed class KernelFramePreprocessorTests(CpuBackend backend) : KernelFramePreprocessorContract(backend);

[Collection(nameof(CudaBackend))]
[Trait("requires", "gpu")]
public sealed class KernelFramePreprocessorCudaTests(CudaBackend backend) : KernelFramePreprocessorContract(backend);
