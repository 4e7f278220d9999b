using System.Text.Json.Serialization;

namespace EdgeRuntime.Core.Devices;

/// <summary>Whether a device is reachable, as its retained status tells the fleet.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeviceState>))]
public enum DeviceState
{
    /// <summary>The daemon runs and holds a broker connection.</summary>
    [JsonStringEnumMemberName("online")]
    Online,

    /// <summary>The daemon stopped cleanly, or the broker published its last will.</summary>
    [JsonStringEnumMemberName("offline")]
    Offline,

    /// <summary>
    /// The daemon runs, but another process keeps taking its broker connection over with the same client id (two
    /// devices with one id); it waits before it reconnects. The status's <c>conflict</c> field says more.
    /// </summary>
    [JsonStringEnumMemberName("conflict")]
    Conflict,
}
