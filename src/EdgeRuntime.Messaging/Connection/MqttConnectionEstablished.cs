namespace EdgeRuntime.Messaging.Connection;

/// <summary>What a connected handler learns about a new connection.</summary>
/// <param name="ConnectionNumber">1 for the first connection of this supervisor, then counting up.</param>
/// <param name="SessionPresent">
/// False when the broker holds no session for this client: everything the broker knew of it (subscriptions,
/// messages it queued) is gone, and the supervisor has rebuilt subscriptions and is resending its queue.
/// </param>
/// <param name="ReceiveMaximum">QoS 1 messages the broker accepts unacknowledged at once; the supervisor keeps to it.</param>
public sealed record MqttConnectionEstablished(long ConnectionNumber, bool SessionPresent, int ReceiveMaximum);
