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
}
