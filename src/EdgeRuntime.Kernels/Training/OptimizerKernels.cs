using EdgeRuntime.Kernels.Accelerators;
using ILGPU;
using ILGPU.Runtime;

namespace EdgeRuntime.Kernels.Training;

/// <summary>The optimiser kernels of one accelerator, compiled once.</summary>
internal sealed class OptimizerKernels
{
    private OptimizerKernels(Accelerator accelerator)
    {
        Adam = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamStepScalars, int>(OptimizerKernelBodies.AdamStep);
        Sgd = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, SgdStepScalars, int>(OptimizerKernelBodies.SgdStep);
    }

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamStepScalars, int> Adam { get; }

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, SgdStepScalars, int> Sgd { get; }

    public static OptimizerKernels Load(KernelAccelerator kernels) => new(kernels.Accelerator);
}
