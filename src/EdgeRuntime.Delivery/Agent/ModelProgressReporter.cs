using System.Text.Json;
using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Messaging.Connection;
using Microsoft.Extensions.Logging;

namespace EdgeRuntime.Delivery.Agent;

/// <summary>
/// The reporter of the delivery loop: turns each step and outcome into the model's state on the status board (the
/// retained device status shows the latest) and an event on the device's events topic (every step, in order), each
/// with the version it concerns and, for failures and stalls, a code next to the one-line text. Reports of one model
/// are serialised, so a late progress report never overwrites the outcome it preceded. Thread-safe.
/// </summary>
public sealed partial class ModelProgressReporter(
    ModelStatusBoard board,
    MqttConnectionSupervisor connection,
    string eventsTopic,
    TimeProvider timeProvider,
    ILogger<ModelProgressReporter> logger)
{
    private readonly Lock _gate = new();

    /// <summary>Reports a step of <paramref name="model"/> <paramref name="version"/>.</summary>
    /// <param name="model">The model's name.</param>
    /// <param name="version">The version the step is about.</param>
    /// <param name="phase">The step.</param>
    /// <param name="detail">Progress or the reason for a failure.</param>
    /// <param name="servingVersion">The version answering requests meanwhile.</param>
    /// <param name="publishEvent">False for fine-grained progress that only updates the status (download percentages between the tenths).</param>
    /// <param name="code">Why, machine-readable, for failures and stalls.</param>
    public void Report(string model, long version, ModelPhase phase, string? detail, long? servingVersion, bool publishEvent = true, RefusalCode? code = null)
    {
        lock (_gate)
        {
            board.Report(new ModelStatus(model, version, phase, detail, servingVersion, code));
            if (publishEvent)
            {
                Publish(new ModelEvent(model, version, phase, detail, servingVersion, timeProvider.GetUtcNow(), code));
            }
        }

        if (phase == ModelPhase.Failed)
        {
            LogFailed(logger, model, version, code is { } c ? RefusalCodes.Name(c) : "failed", detail ?? "unknown reason", servingVersion);
        }
        else if (publishEvent)
        {
            LogStep(logger, model, version, phase.ToString().ToLowerInvariant(), detail ?? string.Empty);
        }
    }

    /// <summary>Reports a refusal: the version it concerns, failed, with its code; <paramref name="servingVersion"/> keeps serving.</summary>
    public void Refused(string model, Refusal refusal, long? servingVersion)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        Report(model, refusal.Version, ModelPhase.Failed, refusal.Message, servingVersion, code: refusal.Code);
    }

    /// <summary>Publishes an event without changing the model's state (a repair of the store found on start).</summary>
    public void Event(string model, long version, ModelPhase phase, string detail, long? servingVersion, RefusalCode? code)
    {
        Publish(new ModelEvent(model, version, phase, detail, servingVersion, timeProvider.GetUtcNow(), code));
        LogRepaired(logger, model, version, detail);
    }

    private void Publish(ModelEvent modelEvent)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(modelEvent, ModelEventJsonContext.Default.ModelEvent);
        try
        {
            _ = connection.PublishAsync(new OutgoingMessage(eventsTopic, payload) { ContentType = "application/json" });
        }
        catch (Exception ex) when (ex is OutgoingQueueFullException or ObjectDisposedException)
        {
            // Events are a view of the status, which stays right; a full queue must not stop a delivery.
            LogEventDropped(logger, modelEvent.Model, modelEvent.Phase.ToString(), ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} v{Version}: {Phase} {Detail}")]
    private static partial void LogStep(ILogger logger, string model, long version, string phase, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model} v{Version} refused ({Code}): {Reason} (serving: v{Serving})")]
    private static partial void LogFailed(ILogger logger, string model, long version, string code, string reason, long? serving);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model} v{Version}: {Detail}")]
    private static partial void LogRepaired(ILogger logger, string model, long version, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Progress event for {Model} ({Phase}) not published: {Reason}")]
    private static partial void LogEventDropped(ILogger logger, string model, string phase, string reason);
}
