using System.Text.Json;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Messaging.Connection;
using Microsoft.Extensions.Logging;

namespace EdgeRuntime.Delivery.Agent;

/// <summary>
/// Reports a model's steps twice: into the status board (the retained device status shows the latest) and as
/// an event on the device's events topic (every step, in order). Thread-safe.
/// </summary>
public sealed partial class ModelProgressReporter(
    ModelStatusBoard board,
    MqttConnectionSupervisor connection,
    string eventsTopic,
    TimeProvider timeProvider,
    ILogger<ModelProgressReporter> logger)
{
    /// <summary>Reports a step of <paramref name="model"/> <paramref name="version"/>.</summary>
    /// <param name="model">The model's name.</param>
    /// <param name="version">The version the step is about.</param>
    /// <param name="phase">The step.</param>
    /// <param name="detail">Progress or the reason for a failure.</param>
    /// <param name="servingVersion">The version answering requests meanwhile.</param>
    /// <param name="publishEvent">False for fine-grained progress that only updates the status (download percentages between the tenths).</param>
    public void Report(string model, long version, ModelPhase phase, string? detail, long? servingVersion, bool publishEvent = true)
    {
        board.Report(new ModelStatus(model, version, phase, detail, servingVersion));
        if (!publishEvent)
        {
            return;
        }

        var payload = JsonSerializer.SerializeToUtf8Bytes(
            new ModelEvent(model, version, phase, detail, servingVersion, timeProvider.GetUtcNow()),
            ModelEventJsonContext.Default.ModelEvent);
        try
        {
            _ = connection.PublishAsync(new OutgoingMessage(eventsTopic, payload) { ContentType = "application/json" });
        }
        catch (Exception ex) when (ex is OutgoingQueueFullException or ObjectDisposedException)
        {
            // Events are a view of the status, which stays right; a full queue must not stop a delivery.
            LogEventDropped(logger, model, phase.ToString(), ex.Message);
        }

        if (phase == ModelPhase.Failed)
        {
            LogFailed(logger, model, version, detail ?? "unknown reason", servingVersion);
        }
        else
        {
            LogStep(logger, model, version, phase.ToString().ToLowerInvariant(), detail ?? string.Empty);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} v{Version}: {Phase} {Detail}")]
    private static partial void LogStep(ILogger logger, string model, long version, string phase, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model} v{Version} refused: {Reason} (serving: v{Serving})")]
    private static partial void LogFailed(ILogger logger, string model, long version, string reason, long? serving);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Progress event for {Model} ({Phase}) not published: {Reason}")]
    private static partial void LogEventDropped(ILogger logger, string model, string phase, string reason);
}
