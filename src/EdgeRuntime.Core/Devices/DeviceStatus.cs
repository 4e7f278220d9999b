using EdgeRuntime.Core.Models;

namespace EdgeRuntime.Core.Devices;

/// <summary>
/// The retained document on <c>edge/devices/{id}/status</c>: one per device, replaced on every
/// change, turned to <see cref="DeviceState.Offline"/> by the last will when the daemon dies.
/// </summary>
/// <param name="DeviceId">The device's id (also the topic level).</param>
/// <param name="State">Online, offline, or conflict (another process uses this device's client id).</param>
/// <param name="RuntimeVersion">The EdgeRuntime version the device runs.</param>
/// <param name="StartedAt">When this daemon process started (UTC).</param>
/// <param name="UptimeSeconds">Seconds since <paramref name="StartedAt"/> when the document was written.</param>
/// <param name="Timestamp">When the document was written (UTC).</param>
/// <param name="Host">Facts about the machine; absent in a last will.</param>
/// <param name="Models">The state of every model the device knows of.</param>
/// <param name="Reason">Why the device is offline: "shutdown" or "connection-lost"; absent when online.</param>
/// <param name="Pipelines">The device's sensor pipelines and their counters; absent when it runs none.</param>
/// <param name="Learning">On-device learning per model; absent when the device does not learn.</param>
/// <param name="Device">What the device probe found (providers with reasons, Jetson, cores, instruction sets, memory, fingerprint); absent until the first model is planned.</param>
/// <param name="Plans">The plan each serving model runs with (provider, settings, cache or search); absent when none serves.</param>
/// <param name="Clock">The device clock against the newest signed time seen (ok, behind, ahead); absent until a signed document was accepted.</param>
/// <param name="Conflict">With state conflict: the takeovers seen and what is known of the other side; absent otherwise.</param>
public sealed record DeviceStatus(
    string DeviceId,
    DeviceState State,
    string RuntimeVersion,
    DateTimeOffset StartedAt,
    long UptimeSeconds,
    DateTimeOffset Timestamp,
    HostFacts? Host,
    IReadOnlyList<ModelStatus> Models,
    string? Reason = null,
    IReadOnlyList<EdgeRuntime.Core.Pipelines.PipelineStatus>? Pipelines = null,
    IReadOnlyList<EdgeRuntime.Core.Learning.LearningStatus>? Learning = null,
    DeviceProfile? Device = null,
    IReadOnlyList<EdgeRuntime.Core.Planning.ServingPlan>? Plans = null,
    ClockStatus? Clock = null,
    ClientIdConflict? Conflict = null);
