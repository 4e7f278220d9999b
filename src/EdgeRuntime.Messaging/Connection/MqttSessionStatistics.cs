namespace EdgeRuntime.Messaging.Connection;

/// <summary>Counters of one supervisor since it started. A snapshot; values do not change after it is taken.</summary>
/// <param name="IsConnected">Whether a connection is up now.</param>
/// <param name="Connections">Successful connects.</param>
/// <param name="SessionsLost">Connects after the first where the broker had no session (subscriptions rebuilt).</param>
/// <param name="Queued">Messages waiting for the broker's acknowledgement, in flight included.</param>
/// <param name="InFlight">Messages sent and not yet acknowledged now.</param>
/// <param name="MaxInFlight">The most messages in flight at once so far; never above the broker's Receive Maximum.</param>
/// <param name="Acknowledged">Messages the broker acknowledged (QoS 1) or that were sent (QoS 0).</param>
/// <param name="Resent">Sends of a message that had been sent on an earlier connection without acknowledgement.</param>
/// <param name="Superseded">Messages replaced by a newer one on the same topic before they were sent.</param>
/// <param name="Rejected">Messages the broker refused for good, or that found the queue full.</param>
/// <param name="Received">Messages delivered to subscription handlers.</param>
public sealed record MqttSessionStatistics(
    bool IsConnected,
    long Connections,
    long SessionsLost,
    int Queued,
    int InFlight,
    int MaxInFlight,
    long Acknowledged,
    long Resent,
    long Superseded,
    long Rejected,
    long Received);
