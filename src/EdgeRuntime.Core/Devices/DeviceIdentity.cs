namespace EdgeRuntime.Core.Devices;

/// <summary>Who this daemon is and since when it runs; fixed for the life of the process.</summary>
/// <param name="DeviceId">The validated device id.</param>
/// <param name="RuntimeVersion">The EdgeRuntime version.</param>
/// <param name="StartedAt">Wall-clock start time (UTC), for people.</param>
/// <param name="StartTimestamp">Monotonic start time from <see cref="TimeProvider.GetTimestamp"/>, for uptime.</param>
/// <param name="Host">Facts about the machine.</param>
public sealed record DeviceIdentity(string DeviceId, string RuntimeVersion, DateTimeOffset StartedAt, long StartTimestamp, HostFacts Host)
{
    /// <summary>The identity of this process, started now.</summary>
    public static DeviceIdentity Create(string deviceId, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (!Devices.DeviceId.IsValid(deviceId))
        {
            throw new ArgumentException($"'{deviceId}' is not a valid device id; allowed: {Devices.DeviceId.AllowedDescription}", nameof(deviceId));
        }

        return new DeviceIdentity(deviceId, Core.RuntimeVersion.Current, timeProvider.GetUtcNow(), timeProvider.GetTimestamp(), HostFacts.Current());
    }
}
