namespace EdgeRuntime.Core.Devices;

/// <summary>
/// Why a device reports <see cref="DeviceState.Conflict"/>: its broker connection was taken over by another client with
/// the same client id <paramref name="Takeovers"/> times within <paramref name="WindowSeconds"/> — almost always a second
/// device with the same device id (an SD-card image cloned with its machine id).
/// </summary>
/// <param name="ClientId">The MQTT client id both sides use.</param>
/// <param name="Takeovers">Takeovers in the current conflict, the first <c>Mqtt:Conflict:Takeovers</c> included.</param>
/// <param name="WindowSeconds">The window the takeovers were counted in (<c>Mqtt:Conflict:WindowSeconds</c>).</param>
/// <param name="Since">When the conflict began (the takeover that made it one), UTC.</param>
/// <param name="BackOffSeconds">How long the daemon waited before its latest reconnect.</param>
/// <param name="OtherStartedAt">When the other process started, from its retained status or last will; absent when not seen.</param>
/// <param name="OtherHost">The other process's host name, from its retained status; absent when not seen.</param>
public sealed record ClientIdConflict(
    string ClientId,
    int Takeovers,
    int WindowSeconds,
    DateTimeOffset Since,
    double BackOffSeconds,
    DateTimeOffset? OtherStartedAt = null,
    string? OtherHost = null)
{
    /// <summary>The code in logs and status.</summary>
    public const string Code = "client-id-conflict";
}
