using EdgeRuntime.Kernels.Tests.Backends;
using EdgeRuntime.Kernels.Tests.Reference;
using EdgeRuntime.Kernels.Training;

namespace EdgeRuntime.Kernels.Tests.Training;

/// <summary>The flat layout, gradient upload, norms and clipping of a parameter buffer (norms within 10⁻¹² relative of a float64 loop).</summary>
public abstract class ParameterBufferContract(KernelBackend backend)
{
    private static (string, float[])[] Tensors() =>
    [
        ("head.weight", RandomData.Floats(64 * 33, 1)),
        ("head.bias", RandomData.Floats(33, 2)),
        ("empty", []),
        ("scale", [0.5f]),
    ];

    [Fact]
    public void Constructor_FourTensors_LaidOutInOrderAndRoundTrips()
    {
        var tensors = Tensors();
        using var buffer = new ParameterBuffer(backend.Kernels, tensors);
        Assert.Equal(
            [new("head.weight", 0, 2112), new("head.bias", 2112, 33), new("empty", 2145, 0), new("scale", 2145, 1)],
            buffer.Slots);
        Assert.Equal(2146, buffer.Length);
        var downloaded = buffer.DownloadParameters();
        for (var i = 0; i < tensors.Length; i++)
        {
            Assert.Equal(tensors[i].Item1, downloaded[i].Name);
            Assert.Equal(tensors[i].Item2, downloaded[i].Values);
        }

        var bias = new float[33];
        buffer.CopyParametersTo("head.bias", bias);
        Assert.Equal(tensors[1].Item2, bias);
    }

    [Fact]
    public void SetGradients_FromSource_NormMatchesFloat64LoopOverAllTensors()
    {
        var tensors = Tensors();
        var gradients = tensors.ToDictionary(t => t.Item1, t => RandomData.Floats(t.Item2.Length, t.Item2.Length + 7, 3), StringComparer.Ordinal);
        using var buffer = new ParameterBuffer(backend.Kernels, tensors);
        buffer.SetGradients(name => gradients[name]);
        var all = tensors.SelectMany(t => gradients[t.Item1]).ToArray();
        var expected = ReferenceMath.L2Norm(all);
        Assert.Equal((float)expected, buffer.GradientNorm(), (float)expected * 1e-6f);
        Assert.Equal(all, buffer.Gradients.ToArray());
    }

    [Fact]
    public void SetGradients_OneTensor_OnlyItsSliceChanges()
    {
        using var buffer = new ParameterBuffer(backend.Kernels, Tensors());
        buffer.SetGradients("head.bias", Enumerable.Repeat(2f, 33).ToArray());
        var gradients = buffer.Gradients.ToArray();
        Assert.All(gradients.AsSpan(2112, 33).ToArray(), g => Assert.Equal(2f, g));
        Assert.Equal(33 * 2f * 2f, gradients.Sum(g => g * g));
    }

    [Fact]
    public void ClipGradients_AboveTheBound_ReturnsNormBeforeAndClipsToIt()
    {
        using var buffer = new ParameterBuffer(backend.Kernels, Tensors());
        buffer.SetGradients(name => RandomData.Floats(buffer.Slot(name).Length, 5, 10));
        var before = buffer.GradientNorm();
        Assert.Equal(before, buffer.ClipGradients(1f));
        Assert.Equal(1f, buffer.GradientNorm(), 1e-5f);
        Assert.Equal(1f, buffer.ClipGradients(2f), 1e-5f);
        Assert.Equal(1f, buffer.GradientNorm(), 1e-5f);
    }

    [Fact]
    public void SetGradients_WrongLength_OneLineNamingTheTensor()
    {
        using var buffer = new ParameterBuffer(backend.Kernels, Tensors());
        var error = Assert.Throws<ArgumentException>(() => buffer.SetGradients("head.bias", new float[32]));
        Assert.Equal("parameter buffer: gradient for 'head.bias' has 32 values, the tensor has 33", error.Message);
        error = Assert.Throws<ArgumentException>(() => buffer.SetGradients(name => new float[name == "scale" ? 2 : buffer.Slot(name).Length]));
        Assert.Equal("parameter buffer: gradient for 'scale' has 2 values, the tensor has 1", error.Message);
    }

    [Fact]
    public void Slot_UnknownName_NamesWhatItHolds()
    {
        using var buffer = new ParameterBuffer(backend.Kernels, Tensors());
        var error = Assert.Throws<KeyNotFoundException>(() => buffer.CopyParametersTo("head.wieght", new float[1]));
        Assert.Equal("parameter buffer: no tensor 'head.wieght' (it holds head.weight, head.bias, empty, scale)", error.Message);
    }

    [Fact]
    public void Constructor_NameTwice_Refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new ParameterBuffer(backend.Kernels, [("w", [1f]), ("w", [2f])]));
        Assert.Equal("parameter buffer: tensor 'w' is given twice", error.Message);
    }

    [Fact]
    public void SetParameters_OneTensor_ReadBack()
    {
        using var buffer = new ParameterBuffer(backend.Kernels, Tensors());
        buffer.SetParameters("scale", [7f]);
        var scale = new float[1];
        buffer.CopyParametersTo("scale", scale);
        Assert.Equal(7f, scale[0]);
    }
}

[Collection(nameof(CpuBackend))]
public sealed class ParameterBufferTests(CpuBackend backend) : ParameterBufferContract(backend);

[Collection(nameof(CudaBackend))]
[Trait("requires", "gpu")]
public sealed class ParameterBufferCudaTests(CudaBackend backend) : ParameterBufferContract(backend);
