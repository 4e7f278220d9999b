using EdgeRuntime.Core.Compute;

namespace EdgeRuntime.Kernels.Tests.Backends;

/// <summary>ILGPU's CPU accelerator: every machine has it.</summary>
public sealed class CpuBackend() : KernelBackend(KernelPreference.Cpu, AcceleratorKind.Cpu)
{
    public override bool BitExact => true;
}

[CollectionDefinition(nameof(CpuBackend))]
public sealed class CpuBackendCollection : ICollectionFixture<CpuBackend>;
