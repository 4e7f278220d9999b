using EdgeRuntime.Core.Devices;

namespace EdgeRuntime.Fleet.Status;

/// <summary>One device's retained status as edgectl received it.</summary>
/// <param name="DeviceId">From the topic (trusted over the payload).</param>
/// <param name="Status">The parsed document, or null when the payload was not one.</param>
/// <param name="Problem">Why the payload could not be read, when it could not.</param>
/// <param name="RawJson">The payload as published.</param>
internal sealed record DeviceListing(string DeviceId, DeviceStatus? Status, string? Problem, string RawJson);
