using EdgeRuntime.Kernels.Tests.Backends;
using EdgeRuntime.Kernels.Tests.Reference;
using EdgeRuntime.Kernels.Training;

namespace EdgeRuntime.Kernels.Tests.Training;

/// <summary>
/// Adam / AdamW steps against the textbook loop (<see cref="ReferenceMath.AdamStep"/>) over several steps, so bias
/// correction and the moments are checked too. Bit-identical on the CPU accelerator; on a GPU within
/// 10⁻⁶ + 10⁻⁴·|x| after five steps (FMA contraction and the GPU's square root, compounded over the steps).
/// </summary>
public abstract class AdamOptimizerContract(KernelBackend backend)
{
    [Theory]
    [InlineData(1, true, 0f)]
    [InlineData(3, true, 0.01f)]
    [InlineData(1023, false, 0.01f)]
    [InlineData(65_537, true, 0.1f)]
    [InlineData(1_000_003, false, 0f)]
    public void Step_FiveSteps_MatchesLoop(int n, bool decoupled, float weightDecay)
    {
        var settings = new AdamSettings(1e-2f, 0.9f, 0.999f, 1e-8f, weightDecay, decoupled);
        var p = RandomData.Floats(n, 1);
        var m = new float[n];
        var v = new float[n];
        using var buffer = new ParameterBuffer(backend.Kernels, [("w", p)]);
        using var adam = new AdamOptimizer(buffer, settings);
        for (var step = 1; step <= 5; step++)
        {
            var g = RandomData.Floats(n, 100 + step, step);
            var lr = step == 3 ? 3e-3f : settings.LearningRate;
            buffer.SetGradients("w", g);
            if (step == 3)
            {
                adam.Step(lr);
            }
            else
            {
                adam.Step();
            }

            ReferenceMath.AdamStep(p, g, m, v, lr, settings.Beta1, settings.Beta2, settings.Epsilon, weightDecay, decoupled, step);
        }

        Assert.Equal(5, adam.Steps);
        var state = adam.ExportState();
        Compare.Floats(m, state.Buffers["m"], backend, "m", relative: 1e-4);
        Compare.Floats(v, state.Buffers["v"], backend, "v", relative: 1e-4);
        Compare.Floats(p, buffer.Parameters.ToArray(), backend, "parameters", relative: 1e-4);
    }

    [Fact]
    public void Step_Quadratic_ConvergesToTheMinimum()
    {
        // f(p) = ½‖p − t‖², ∇f = p − t: Adam with a decaying step walks p to t.
        var target = RandomData.Floats(257, 9, 3);
        using var buffer = new ParameterBuffer(backend.Kernels, [("p", new float[257])]);
        using var adam = new AdamOptimizer(buffer, new AdamSettings(LearningRate: 0.1f));
        var p = new float[257];
        var g = new float[257];
        for (var step = 0; step < 600; step++)
        {
            buffer.CopyParametersTo("p", p);
            for (var i = 0; i < g.Length; i++)
            {
                g[i] = p[i] - target[i];
            }

            buffer.SetGradients("p", g);
            adam.Step(0.1f / (1 + (step / 50f)));
        }

        buffer.CopyParametersTo("p", p);
        Compare.Within(target, p, 1e-3, 0, "p after 600 steps");
    }

    [Fact]
    public void ImportState_HalfwayCheckpoint_ContinuesExactlyAsWithoutIt()
    {
        var start = RandomData.Floats(999, 3);
        var gradients = Enumerable.Range(0, 4).Select(s => RandomData.Floats(999, 50 + s)).ToArray();
        using var straight = new ParameterBuffer(backend.Kernels, [("w", start)]);
        using var straightAdam = new AdamOptimizer(straight, new AdamSettings(WeightDecay: 0.01f));
        using var resumed = new ParameterBuffer(backend.Kernels, [("w", start)]);
        OptimizerState checkpoint;
        using (var first = new AdamOptimizer(resumed, new AdamSettings(WeightDecay: 0.01f)))
        {
            for (var s = 0; s < 2; s++)
            {
                resumed.SetGradients("w", gradients[s]);
                first.Step();
            }

            checkpoint = first.ExportState();
        }

        using var second = new AdamOptimizer(resumed, new AdamSettings(WeightDecay: 0.01f));
        second.ImportState(checkpoint);
        for (var s = 0; s < 4; s++)
        {
            straight.SetGradients("w", gradients[s]);
            straightAdam.Step();
            if (s >= 2)
            {
                resumed.SetGradients("w", gradients[s]);
                second.Step();
            }
        }

        Assert.Equal(4, second.Steps);
        Assert.Equal(straight.Parameters.ToArray(), resumed.Parameters.ToArray());
    }

    [Fact]
    public void ImportState_OtherOptimizersState_Refused()
    {
        using var buffer = new ParameterBuffer(backend.Kernels, [("w", new float[4])]);
        using var adam = new AdamOptimizer(buffer, new AdamSettings());
        using var sgd = new SgdMomentumOptimizer(buffer, new SgdMomentumSettings());
        var error = Assert.Throws<ArgumentException>(() => adam.ImportState(sgd.ExportState()));
        Assert.Equal("optimizer state: it is sgd-momentum's, this is adam", error.Message);
    }

    [Theory]
    [InlineData(-1f, 0.9f, 0.999f, 1e-8f)]
    [InlineData(1e-3f, 1f, 0.999f, 1e-8f)]
    [InlineData(1e-3f, 0.9f, -0.1f, 1e-8f)]
    [InlineData(1e-3f, 0.9f, 0.999f, 0f)]
    public void Constructor_SettingOutOfRange_Refused(float lr, float beta1, float beta2, float epsilon)
    {
        using var buffer = new ParameterBuffer(backend.Kernels, [("w", new float[4])]);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamOptimizer(buffer, new AdamSettings(lr, beta1, beta2, epsilon)));
    }
}

[Collection(nameof(CpuBackend))]
public sealed class AdamOptimizerTests(CpuBackend backend) : AdamOptimizerContract(backend);

[Collection(nameof(CudaBackend))]
[Trait("requires", "gpu")]
public sealed class AdamOptimizerCudaTests(CudaBackend backend) : AdamOptimizerContract(backend);
