using System.Collections.Concurrent;
using EdgeRuntime.Core.Devices;

namespace EdgeRuntime.Core.Planning;

/// <summary>
/// The device profile and the plan each model serves with, for the device status. Serving reports here; the presence
/// publisher reads it and republishes on <see cref="Changed"/>. Thread-safe.
/// </summary>
public sealed class PlanStatusBoard
{
    private readonly ConcurrentDictionary<string, ServingPlan> _plans = new(StringComparer.Ordinal);
    private DeviceProfile? _device;

    /// <summary>Raised after anything changed. Handlers must not block.</summary>
    public event Action? Changed;

    /// <summary>The device profile, once probed.</summary>
    public DeviceProfile? Device => Volatile.Read(ref _device);

    /// <summary>Records the device profile.</summary>
    public void ReportDevice(DeviceProfile device)
    {
        Volatile.Write(ref _device, device);
        Changed?.Invoke();
    }

    /// <summary>Records the plan a model now serves with.</summary>
    public void Report(ServingPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        _plans[plan.Model] = plan;
        Changed?.Invoke();
    }

    /// <summary>The serving plans, ordered by model name.</summary>
    public IReadOnlyList<ServingPlan> Snapshot() => [.. _plans.Values.OrderBy(p => p.Model, StringComparer.Ordinal)];
}
