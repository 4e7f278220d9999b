using EdgeRuntime.Core.Compute;

namespace EdgeRuntime.Kernels.Tests.Backends;

/// <summary>
/// CUDA, for the tests that carry [Trait("requires", "gpu")]: they skip with the reason where there is no usable
/// GPU, and fail instead when EDGE_REQUIRE_GPU=1 (deploy/gpu/run-kernel-checks.sh sets it on the GPU machine).
/// </summary>
public sealed class CudaBackend() : KernelBackend(KernelPreference.Cuda, AcceleratorKind.Cuda)
{
    public override bool BitExact => false;
}

[CollectionDefinition(nameof(CudaBackend))]
public sealed class CudaBackendCollection : ICollectionFixture<CudaBackend>;
