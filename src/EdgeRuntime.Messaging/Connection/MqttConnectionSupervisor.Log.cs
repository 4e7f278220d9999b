using Microsoft.Extensions.Logging;

namespace EdgeRuntime.Messaging.Connection;

public sealed partial class MqttConnectionSupervisor
{
    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT connected to {Endpoint} (connection {Number}, session present: {SessionPresent}, receive maximum {ReceiveMaximum}, {Queued} messages queued)")]
    private static partial void LogConnected(ILogger logger, string endpoint, long number, bool sessionPresent, int receiveMaximum, int queued);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT connection to {Endpoint} lost ({Reason}: {Detail}); reconnecting")]
    private static partial void LogDisconnected(ILogger logger, string endpoint, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT disconnected cleanly from {Endpoint}")]
    private static partial void LogDisconnectedCleanly(ILogger logger, string endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT stopped with {Count} messages not acknowledged by {Endpoint}")]
    private static partial void LogUndeliveredAtStop(ILogger logger, int count, string endpoint);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT broker rejected the message on {Topic}: {ReasonCode} {Reason}; it is dropped")]
    private static partial void LogPublishRejected(ILogger logger, string topic, string reasonCode, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT broker deferred the message on {Topic} ({ReasonCode}); it is resent on the next connection")]
    private static partial void LogPublishDeferred(ILogger logger, string topic, string reasonCode);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT broker refused the subscription to {Filter}: {ReasonCode}")]
    private static partial void LogSubscribeRefused(ILogger logger, string filter, string reasonCode);

    [LoggerMessage(Level = LogLevel.Debug, Message = "MQTT (un)subscribe of {Filter} deferred to the next connection: {Reason}")]
    private static partial void LogSubscribeDeferred(ILogger logger, string filter, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT broker {Endpoint} sent a packet of {PacketBytes} bytes, larger than the {MaxPacketBytes} this client announced (Mqtt:MaxPacketBytes) ({Code}); nothing of it was read, the connection is closed")]
    private static partial void LogPacketTooLarge(ILogger logger, string endpoint, long packetBytes, long maxPacketBytes, string code);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT client id {ClientId} is in use by another connection to {Endpoint}: taken over {Takeovers} times within {WindowSeconds} s ({Code}). Two devices with one id? A cloned SD-card image keeps /etc/machine-id: give each device its own (systemd-machine-id-setup) or set DeviceId. Reconnects now wait, and the status says conflict")]
    private static partial void LogConflict(ILogger logger, string clientId, string endpoint, int takeovers, int windowSeconds, string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT client id {ClientId}: the connection has held for {WindowSeconds} s; the conflict is over")]
    private static partial void LogConflictOver(ILogger logger, string clientId, int windowSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT message on {Topic} acknowledged and dropped: {Reason}")]
    private static partial void LogUnclaimedDropped(ILogger logger, string topic, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "A handler of MQTT connection events failed")]
    private static partial void LogConnectedHandlerFailed(ILogger logger, Exception exception);
}
