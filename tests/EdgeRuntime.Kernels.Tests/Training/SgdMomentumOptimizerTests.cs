using EdgeRuntime.Kernels.Tests.Backends;
using EdgeRuntime.Kernels.Tests.Reference;
using EdgeRuntime.Kernels.Training;

namespace EdgeRuntime.Kernels.Tests.Training;

/// <summary>SGD-with-momentum steps against the PyTorch-convention loop; bit-identical on the CPU accelerator, 10⁻⁶ + 10⁻⁵·|x| on a GPU.</summary>
public abstract class SgdMomentumOptimizerContract(KernelBackend backend)
{
    [Theory]
    [InlineData(0, 0.9f, false, 0f)]
    [InlineData(1, 0.9f, false, 0f)]
    [InlineData(17, 0.9f, true, 1e-3f)]
    [InlineData(4097, 0f, false, 1e-2f)]
    [InlineData(1_000_003, 0.5f, true, 0f)]
    public void Step_FourSteps_MatchesLoop(int n, float momentum, bool nesterov, float weightDecay)
    {
        var settings = new SgdMomentumSettings(0.05f, momentum, weightDecay, nesterov);
        var p = RandomData.Floats(n, 11);
        var b = new float[n];
        using var buffer = new ParameterBuffer(backend.Kernels, [("a", p.AsSpan(0, n / 2).ToArray()), ("b", p.AsSpan(n / 2).ToArray())]);
        using var sgd = new SgdMomentumOptimizer(buffer, settings);
        for (var step = 1; step <= 4; step++)
        {
            var g = RandomData.Floats(n, 200 + step);
            buffer.SetGradients(name => name == "a" ? g.AsSpan(0, n / 2) : g.AsSpan(n / 2));
            sgd.Step();
            ReferenceMath.SgdStep(p, g, b, settings.LearningRate, momentum, weightDecay, nesterov);
        }

        Compare.Floats(b, sgd.ExportState().Buffers["momentum"], backend, "momentum");
        Compare.Floats(p, buffer.Parameters.ToArray(), backend, "parameters");
    }

    [Fact]
    public void Constructor_NesterovWithoutMomentum_Refused()
    {
        using var buffer = new ParameterBuffer(backend.Kernels, [("w", new float[4])]);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SgdMomentumOptimizer(buffer, new SgdMomentumSettings(Momentum: 0, Nesterov: true)));
        Assert.StartsWith("SGD: Nesterov momentum needs a momentum above 0", error.Message, StringComparison.Ordinal);
    }
}

[Collection(nameof(CpuBackend))]
public sealed class SgdMomentumOptimizerTests(CpuBackend backend) : SgdMomentumOptimizerContract(backend);

[Collection(nameof(CudaBackend))]
[Trait("requires", "gpu")]
public sealed class SgdMomentumOptimizerCudaTests(CudaBackend backend) : SgdMomentumOptimizerContract(backend);
