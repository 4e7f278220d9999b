using System.Diagnostics;
using EdgeRuntime.Core.Compute;
using EdgeRuntime.Kernels.Vectors;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRuntime.Kernels.Accelerators;

/// <summary>
/// The one owner of the process's ILGPU <see cref="Context"/> and <see cref="ILGPU.Runtime.Accelerator"/>: chooses
/// CUDA or the CPU accelerator (<see cref="AcceleratorPolicy"/>), loads each kernel family once and keeps it, and
/// serialises all work on its single stream.
/// </summary>
/// <remarks>
/// Ownership: whoever calls <see cref="Create(KernelPreference, ILogger?, KernelCpuSettings?)"/> disposes the result, after every
/// <see cref="DeviceVector"/>, <see cref="EdgeRuntime.Kernels.Training.ParameterBuffer"/>, optimiser and pre-processor made from it
/// (they borrow the accelerator; their device buffers die with it). Thread-safe: every operation takes the
/// accelerator's lock and binds its context to the calling thread, so callers on different threads queue up.
/// <para>
/// Kernels are written as grid-stride loops launched with an explicit <see cref="KernelConfig"/> of at most
/// <see cref="MaxGroups"/> groups of <see cref="GroupSize"/> threads. On the CPU accelerator that matters: an
/// implicitly grouped launch over one element per thread spends its time synchronising simulated threads
/// (an axpy over 10⁶ floats took 958 ms that way, 2–4 ms as a grid-stride loop; docs/kernels.md).
/// </para>
/// </remarks>
public sealed partial class KernelAccelerator : IDisposable
{
    private const int CudaGroupSize = 256;
    private const int CudaGroupsPerMultiprocessor = 8;

    // Two threads a group, one group per core: the smallest group the CPU accelerator allows keeps its barrier
    // cost low, and one multiprocessor per core runs groups in parallel (measured in docs/kernels.md).
    private const int CpuGroupSize = 2;

    // ILGPU names the CPU accelerator's threads "ILGPU_<id>_CPU_…" (workers) and "ILGPU_<id>_GCThread" (clean-up).
    private const string WorkerThreadPrefix = "ILGPU";

    private static readonly Lock CpuCreation = new();

    private readonly Context _context;
    private readonly Accelerator _accelerator;
    private readonly Lock _gate = new();
    private readonly Dictionary<Type, object> _families = [];
    private readonly ILogger _logger;
    private bool _disposed;

    private KernelAccelerator(Context context, Accelerator accelerator, KernelAcceleratorStatus status, ILogger logger)
    {
        _context = context;
        _accelerator = accelerator;
        _logger = logger;
        Status = status;
        GroupSize = status.Kind == AcceleratorKind.Cuda ? Math.Min(CudaGroupSize, accelerator.MaxNumThreadsPerGroup) : CpuGroupSize;
        MaxGroups = status.Kind == AcceleratorKind.Cuda ? accelerator.NumMultiprocessors * CudaGroupsPerMultiprocessor : accelerator.NumMultiprocessors;
    }

    /// <summary>Where the kernels run and why (the value for the device status).</summary>
    public KernelAcceleratorStatus Status { get; }

    /// <summary>CUDA or CPU.</summary>
    public AcceleratorKind Kind => Status.Kind;

    /// <summary>Why CUDA is not used when it was asked for or tried; null otherwise.</summary>
    public string? FallbackReason => Status.FallbackReason;

    /// <summary>Threads per group of every launch (a power of two).</summary>
    public int GroupSize { get; }

    /// <summary>The most groups one launch uses; larger inputs loop (grid-stride).</summary>
    public int MaxGroups { get; }

    /// <summary>
    /// The Linux thread ids of the CPU accelerator's own threads: its workers (ILGPU_&lt;id&gt;_CPU_…) and the thread that
    /// cleans up its released objects (empty on CUDA, where the calling thread only queues work, and where the platform
    /// cannot tell). Their CPU time is work done for whoever launches kernels here.
    /// </summary>
    public IReadOnlyList<int> WorkerThreadIds { get; private init; } = [];

    /// <summary>The CPU time the worker threads have used so far (zero without workers), or null where the platform cannot tell.</summary>
    public TimeSpan? WorkerCpuTime()
    {
        var total = TimeSpan.Zero;
        foreach (var id in WorkerThreadIds)
        {
            if (ThreadCpuClock.Of(id) is not { } used)
            {
                return null;
            }

            total += used;
        }

        return total;
    }

    /// <summary>The ILGPU accelerator; use it only inside <see cref="Enter"/>.</summary>
    internal Accelerator Accelerator => _accelerator;

    /// <summary>
    /// Chooses and starts the accelerator for <paramref name="preference"/>: CUDA when wanted and usable, otherwise
    /// ILGPU's CPU accelerator with the reason in <see cref="FallbackReason"/> (logged once: a warning when CUDA was
    /// asked for, information under Auto). Never fails for want of a GPU.
    /// </summary>
    /// <param name="preference">Auto, Cpu or Cuda.</param>
    /// <param name="logger">Where the choice is logged.</param>
    /// <param name="cpu">How the CPU accelerator's worker threads are made, when it is the one chosen; null: one
    /// multiprocessor per core at normal priority.</param>
    public static KernelAccelerator Create(KernelPreference preference, ILogger? logger = null, KernelCpuSettings? cpu = null) =>
        Create(preference, logger, CudaProbe.Probe, StartCuda, cpu);

    /// <summary>As <see cref="Create(KernelPreference, ILogger?, KernelCpuSettings?)"/> with the probe and the CUDA start replaceable (tests simulate a GPU that fails to start).</summary>
    internal static KernelAccelerator Create(KernelPreference preference, ILogger? logger, Func<CudaProbeResult> probe, Func<(Context Context, Accelerator Accelerator)> startCuda, KernelCpuSettings? cpuSettings = null)
    {
        logger ??= NullLogger.Instance;
        var plan = AcceleratorPolicy.Decide(preference, AcceleratorPolicy.NeedsProbe(preference) ? probe() : null);
        var reason = plan.FallbackReason;
        if (plan.TryCuda)
        {
            try
            {
                var (context, accelerator) = startCuda();
                var status = new KernelAcceleratorStatus(preference, AcceleratorKind.Cuda, accelerator.Name, null);
                LogChosen(logger, status.ToString());
                return new KernelAccelerator(context, accelerator, status, logger);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Whatever the driver or ILGPU threw (CudaException, an unsupported architecture, a PTX the driver
                // rejects), the kernels still have the CPU accelerator.
                reason = AcceleratorPolicy.StartFailure(ex);
            }
        }

        var cpu = CreateCpu(preference, reason, cpuSettings ?? new KernelCpuSettings());
        if (reason is not null && preference == KernelPreference.Cuda)
        {
            LogCudaUnavailable(logger, reason);
        }

        LogChosen(logger, cpu.Status.ToString());
        return new KernelAccelerator(cpu.Context, cpu.Accelerator, cpu.Status, logger) { WorkerThreadIds = cpu.Workers };
    }

    /// <summary>Takes the accelerator for the calling thread (the lock, and its context made current); dispose the scope to release it.</summary>
    /// <exception cref="ObjectDisposedException">The accelerator was disposed.</exception>
    internal Lock.Scope Enter()
    {
        var scope = _gate.EnterScope();
        if (_disposed)
        {
            scope.Dispose();
            throw new ObjectDisposedException(nameof(KernelAccelerator), "the kernel accelerator was disposed");
        }

        _accelerator.Bind();
        return scope;
    }

    /// <summary>Disposes <paramref name="resource"/> (a buffer of this accelerator) unless the accelerator, and with it the buffer, is gone already.</summary>
    internal void Release(IDisposable resource)
    {
        using (_gate.EnterScope())
        {
            if (!_disposed)
            {
                _accelerator.Bind();
                resource.Dispose();
            }
        }
    }

    /// <summary>The launch for <paramref name="items"/> elements: enough groups to give each thread one, capped at <see cref="MaxGroups"/>.</summary>
    internal KernelConfig Launch(long items)
    {
        var groups = (int)Math.Clamp((items + GroupSize - 1) / GroupSize, 1, MaxGroups);
        return new KernelConfig(groups, GroupSize);
    }

    /// <summary>The kernel family <typeparamref name="T"/>, loaded (compiled) on first use and kept for the accelerator's life.</summary>
    internal T Family<T>(Func<KernelAccelerator, T> load)
        where T : class
    {
        using var scope = Enter();
        if (_families.TryGetValue(typeof(T), out var loaded))
        {
            return (T)loaded;
        }

        var started = Stopwatch.GetTimestamp();
        var family = load(this);
        _families[typeof(T)] = family;
        LogFamilyLoaded(_logger, typeof(T).Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return family;
    }

    /// <summary>The vector maths (loaded on first use).</summary>
    public VectorKernels Vectors => Family(VectorKernels.Load);

    /// <summary>Waits until every kernel queued so far has run (copies to the host wait by themselves).</summary>
    public void Synchronize()
    {
        using var scope = Enter();
        _accelerator.Synchronize();
    }

    /// <summary>A device vector of <paramref name="length"/> zeros.</summary>
    public DeviceVector Allocate(int length) => new(this, length);

    /// <summary>A device vector holding a copy of <paramref name="values"/>.</summary>
    public DeviceVector Upload(ReadOnlySpan<float> values)
    {
        var vector = new DeviceVector(this, values.Length);
        vector.CopyFrom(values);
        return vector;
    }

    /// <summary>Frees the kernels' scratch buffers, the accelerator and the context.</summary>
    public void Dispose()
    {
        using (_gate.EnterScope())
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var family in _families.Values.OfType<IDisposable>())
            {
                family.Dispose();
            }

            _families.Clear();
            _accelerator.Dispose();
            _context.Dispose();
        }
    }

    private static (Context Context, Accelerator Accelerator) StartCuda()
    {
        var context = Context.Create(builder => builder.Cuda().EnableAlgorithms());
        try
        {
            var devices = context.GetCudaDevices();
            return devices.Count > 0
                ? (context, devices[0].CreateCudaAccelerator(context))
                : throw new NotSupportedException("ILGPU lists none of the driver's devices (an architecture ILGPU 1.5.3 does not support?)");
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    private static (Context Context, Accelerator Accelerator, KernelAcceleratorStatus Status, IReadOnlyList<int> Workers) CreateCpu(KernelPreference preference, string? reason, KernelCpuSettings settings)
    {
        var cores = settings.Multiprocessors > 0 ? Math.Min(settings.Multiprocessors, Math.Max(1, Environment.ProcessorCount)) : Math.Max(1, Environment.ProcessorCount);
        var device = new CPUDevice(CpuGroupSize, numWarpsPerMultiprocessor: 1, numMultiprocessors: cores);
        var context = Context.Create(builder => builder.CPU(device).EnableAlgorithms());
        try
        {
            // The accelerator starts its worker threads when made: the ILGPU threads that appear meanwhile are its own, as
            // every CPU accelerator of the process is made here, one at a time.
            CPUAccelerator accelerator;
            List<int> workers;
            lock (CpuCreation)
            {
                var before = ThreadCpuClock.Threads(WorkerThreadPrefix).ToHashSet();
                accelerator = context.GetCPUDevice(0).CreateCPUAccelerator(context, CPUAcceleratorMode.Parallel);

                // A thread's name reaches Linux when the thread itself starts running, which may be after the accelerator
                // is returned: wait (briefly) until every worker and the clean-up thread carry theirs.
                var expected = (cores * CpuGroupSize) + 1;
                var waited = Stopwatch.StartNew();
                do
                {
                    workers = [.. ThreadCpuClock.Threads(WorkerThreadPrefix).Where(id => !before.Contains(id))];
                }
                while (OperatingSystem.IsLinux() && workers.Count < expected && waited.Elapsed < TimeSpan.FromSeconds(2) && Yield());
            }

            var lowered = settings.WorkerNice > 0 && workers.Count > 0 && workers.All(id => ThreadCpuClock.Lower(id, settings.WorkerNice));
            var idle = settings.WorkerIdlePolicy && workers.Count > 0 && workers.All(ThreadCpuClock.LowerToIdle);
            var description = $"CPU accelerator, {cores}x{CpuGroupSize} threads{(lowered ? $" at nice {settings.WorkerNice}" : string.Empty)}{(idle ? ", SCHED_IDLE" : string.Empty)}";
            return (context, accelerator, new KernelAcceleratorStatus(preference, AcceleratorKind.Cpu, description, reason), workers);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    private static bool Yield()
    {
        Thread.Yield();
        return true;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Kernels run on {Accelerator}")]
    private static partial void LogChosen(ILogger logger, string accelerator);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Kernels: CUDA was asked for but cannot be used, running on the CPU accelerator: {Reason}")]
    private static partial void LogCudaUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Kernels: {Family} loaded in {Milliseconds:0.0} ms")]
    private static partial void LogFamilyLoaded(ILogger logger, string family, double milliseconds);
}
