using EdgeRuntime.Core.Devices;

namespace EdgeRuntime.Messaging.Identity;

/// <summary>
/// Raised instead of a connection attempt while the client id is in conflict: the <c>mqtt-reconnect</c> pipeline waits
/// <see cref="BackOff"/> before the next attempt (its delay generator reads it), so the wait goes through the same named
/// pipeline as every other reconnect.
/// </summary>
/// <param name="clientId">The client id both sides use.</param>
/// <param name="takeovers">Takeovers counted since the process started.</param>
/// <param name="backOff">The wait before the next attempt.</param>
public sealed class ClientIdConflictException(string clientId, int takeovers, TimeSpan backOff)
    : Exception($"client id '{clientId}' is in use by another connection ({takeovers} takeovers so far); another device or process has this id ({ClientIdConflict.Code})")
{
    /// <summary>The wait before the next attempt.</summary>
    public TimeSpan BackOff { get; } = backOff;
}
