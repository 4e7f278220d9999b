using EdgeRuntime.Core.Compute;
using EdgeRuntime.Kernels.Accelerators;
using ILGPU.Runtime.Cuda;
using Microsoft.Extensions.Logging;

namespace EdgeRuntime.Kernels.Tests.Accelerators;

public sealed class KernelAcceleratorTests
{
    private static readonly CudaProbeResult Gpu = new(CudaAvailability.Available, 1, "1 device(s)");

    [Fact]
    public void Create_CpuAsked_CpuAcceleratorWithoutReason()
    {
        using var kernels = KernelAccelerator.Create(KernelPreference.Cpu);
        Assert.Equal(AcceleratorKind.Cpu, kernels.Kind);
        Assert.Null(kernels.FallbackReason);
        Assert.Equal(KernelPreference.Cpu, kernels.Status.Requested);
        Assert.StartsWith("cpu (CPU accelerator, ", kernels.Status.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Create_CudaAskedWithoutGpu_FallsBackToCpuWithOneWarningLine()
    {
        var noDriver = new CudaProbeResult(CudaAvailability.NoDriver, 0, "libcuda.so.1 not found");
        var log = new ListLogger();
        using var kernels = KernelAccelerator.Create(KernelPreference.Cuda, log, () => noDriver, () => throw new InvalidOperationException("must not start CUDA"));
        Assert.Equal(AcceleratorKind.Cpu, kernels.Kind);
        Assert.Equal("no CUDA driver (libcuda.so.1 not found)", kernels.FallbackReason);
        var warning = Assert.Single(log.Lines, l => l.Level == LogLevel.Warning);
        Assert.Equal("Kernels: CUDA was asked for but cannot be used, running on the CPU accelerator: no CUDA driver (libcuda.so.1 not found)", warning.Message);
        Assert.EndsWith("; CUDA not used: no CUDA driver (libcuda.so.1 not found)", kernels.Status.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Create_AutoWithoutGpu_CpuWithReasonButNoWarning()
    {
        var noDevice = new CudaProbeResult(CudaAvailability.NoDevice, 0, "cuInit: CUDA_ERROR_NO_DEVICE (100)");
        var log = new ListLogger();
        using var kernels = KernelAccelerator.Create(KernelPreference.Auto, log, () => noDevice, () => throw new InvalidOperationException("must not start CUDA"));
        Assert.Equal(AcceleratorKind.Cpu, kernels.Kind);
        Assert.Equal("no CUDA device (cuInit: CUDA_ERROR_NO_DEVICE (100))", kernels.FallbackReason);
        Assert.DoesNotContain(log.Lines, l => l.Level >= LogLevel.Warning);
        Assert.Contains(log.Lines, l => l.Level == LogLevel.Information && l.Message.StartsWith("Kernels run on cpu", StringComparison.Ordinal));
    }

    [Fact]
    public void Create_GpuListedButAcceleratorFailsToStart_FallsBackWithTheError()
    {
        using var kernels = KernelAccelerator.Create(KernelPreference.Cuda, null, () => Gpu, () => throw new CudaException("a PTX JIT compilation failed"));
        Assert.Equal(AcceleratorKind.Cpu, kernels.Kind);
        Assert.Equal("CUDA accelerator failed to start (CudaException: a PTX JIT compilation failed)", kernels.FallbackReason);

        // The fallback accelerator works.
        using var x = kernels.Upload([1f, 2f, 2f]);
        Assert.Equal(3.0, kernels.Vectors.L2Norm(x));
    }

    [Fact]
    public void Create_ThisMachine_ReasonExactlyWhenNotOnCuda()
    {
        using var kernels = KernelAccelerator.Create(KernelPreference.Auto);
        Assert.Equal(kernels.Kind == AcceleratorKind.Cpu, kernels.FallbackReason is not null);
    }

    [Fact]
    public void Vectors_AskedTwice_LoadedOnce()
    {
        using var kernels = KernelAccelerator.Create(KernelPreference.Cpu);
        Assert.Same(kernels.Vectors, kernels.Vectors);
    }

    [Fact]
    public void Dispose_ThenUse_ObjectDisposedAndLateBufferDisposeHarmless()
    {
        var kernels = KernelAccelerator.Create(KernelPreference.Cpu);
        var x = kernels.Upload([1f]);
        kernels.Dispose();
        Assert.Throws<ObjectDisposedException>(() => x.ToArray());
        x.Dispose();
        kernels.Dispose();
    }

    [Fact]
    public void Create_CpuWithBackgroundSettings_OneGroupOfWorkersAtTheNiceValue_TheirCpuTimeCounted()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "thread ids, nice values and thread CPU clocks are read from Linux");
        using var kernels = KernelAccelerator.Create(KernelPreference.Cpu, cpu: new KernelCpuSettings(Multiprocessors: 1, WorkerNice: 10));

        // One multiprocessor of one two-thread group: two workers (ILGPU_<id>_CPU_…) besides the accelerator's clean-up
        // thread, all at nice 10 (field 19 of /proc/self/task/TID/stat).
        // (Linux keeps 15 characters of a name: with a five-digit id the suffix is cut to "_CPU".)
        Assert.Equal(2, kernels.WorkerThreadIds.Count(id => File.ReadAllText($"/proc/self/task/{id}/comm").Contains("_CPU", StringComparison.Ordinal)));
        Assert.All(kernels.WorkerThreadIds, id => Assert.Equal("10", File.ReadAllText($"/proc/self/task/{id}/stat").Split(')')[1].Split(' ')[17]));
        Assert.EndsWith("1x2 threads at nice 10)", kernels.Status.ToString(), StringComparison.Ordinal);

        var before = kernels.WorkerCpuTime()!.Value;
        using var x = kernels.Upload(new float[1 << 20]);
        for (var i = 0; i < 50; i++)
        {
            kernels.Vectors.Scale(1.0001f, x);
        }

        Assert.True(kernels.WorkerCpuTime()!.Value > before, "50 launches over 2^20 floats used no worker CPU time");
    }

    [Fact]
    public void Create_CpuWithIdlePolicy_WorkersUnderSchedIdle_AndStillComputing()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "scheduling policies are read from Linux");
        using var kernels = KernelAccelerator.Create(KernelPreference.Cpu, cpu: new KernelCpuSettings(Multiprocessors: 1, WorkerNice: 10, WorkerIdlePolicy: true));

        // Field 41 of /proc/self/task/TID/stat is the policy: 5 is SCHED_IDLE, 0 SCHED_OTHER.
        Assert.All(kernels.WorkerThreadIds, id => Assert.Equal("5", File.ReadAllText($"/proc/self/task/{id}/stat").Split(')')[1].Split(' ')[39]));
        Assert.EndsWith("1x2 threads at nice 10, SCHED_IDLE)", kernels.Status.ToString(), StringComparison.Ordinal);
        using var x = kernels.Upload([1f, 2f, 3f]);
        kernels.Vectors.Scale(2f, x);
        Assert.Equal([2f, 4f, 6f], x.ToArray());
    }

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add((logLevel, formatter(state, exception)));
    }
}
