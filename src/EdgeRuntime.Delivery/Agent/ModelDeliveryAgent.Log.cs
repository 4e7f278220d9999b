using Microsoft.Extensions.Logging;

namespace EdgeRuntime.Delivery.Agent;

public sealed partial class ModelDeliveryAgent
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Model delivery is disabled (Delivery:Enabled is false); serving what the store holds")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No trusted keys are configured (Delivery:TrustedKeys): every manifest and command will be refused")]
    private static partial void LogNoTrustedKeys(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Command refused ({Code}): {Reason}")]
    private static partial void LogCommandRefused(ILogger logger, string code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The reply to command {Nonce} could not be recorded ({Reason}); a copy of the command will be refused without it")]
    private static partial void LogReplyNotRecorded(ILogger logger, string nonce, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Command reply not sent: its response topic {Topic} is not one of this device's reply topics ({Expected})")]
    private static partial void LogReplyTopicRefused(ILogger logger, string topic, string expected);
}
