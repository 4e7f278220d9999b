using Microsoft.Extensions.Logging;

namespace EdgeRuntime.Delivery.Agent;

public sealed partial class ModelDeliveryAgent
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Model delivery is disabled (Delivery:Enabled is false); serving what the store holds")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No trusted keys are configured (Delivery:TrustedKeys): every manifest and command will be refused")]
    private static partial void LogNoTrustedKeys(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Model {Model}: unexpected error in delivery")]
    private static partial void LogLaneError(ILogger logger, string model, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Download of {Model} failed (attempt {Attempt}): {Reason}; retrying")]
    private static partial void LogSourceRetry(ILogger logger, string model, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Reason}")]
    private static partial void LogCommandRefused(ILogger logger, string reason);
}
