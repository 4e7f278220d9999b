using System.Diagnostics.Metrics;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Core.Pipelines;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Worker.Health;

namespace EdgeRuntime.Worker.Metrics;

/// <summary>
/// The daemon's observable instruments (meter <c>EdgeRuntime</c>): read from the status boards, the MQTT supervisor
/// and the health monitor when an exporter collects, so nothing is counted twice and the hot path pays nothing.
/// Latency histograms are recorded as they happen by <see cref="Pipelines.Metrics.PipelineInstruments"/>.
/// </summary>
internal sealed class DaemonInstruments : IDisposable
{
    /// <summary>The meter's name, for exporters.</summary>
    public const string MeterName = "EdgeRuntime";

    private static readonly ModelPhase[] Phases = Enum.GetValues<ModelPhase>();
    private readonly Meter _meter;

    public DaemonInstruments(IMeterFactory meters, PipelineStatusBoard pipelines, ModelStatusBoard models, MqttConnectionSupervisor mqtt, HealthState health)
    {
        _meter = meters.Create(MeterName);

        Counter("edge.pipeline.fed", "Samples the sources handed over", p => p.Fed);
        Counter("edge.pipeline.served", "Samples answered", p => p.Served);
        Counter("edge.pipeline.dropped", "Samples pushed out of a full queue", p => p.Dropped);
        Counter("edge.pipeline.rejected", "Samples a full queue refused", p => p.Rejected);
        Counter("edge.pipeline.failed", "Samples whose processing failed", p => p.Failed);
        Counter("edge.pipeline.waiting_for_model", "Samples that came while no model version served", p => p.WaitingForModel);
        _meter.CreateObservableUpDownCounter(
            "edge.pipeline.queue.depth",
            () => pipelines.Snapshot().Select(p => new Measurement<long>(p.Queued, Tag("pipeline", p.Name))),
            unit: "{sample}",
            description: "Samples waiting in the model's queue now");
        _meter.CreateObservableGauge(
            "edge.pipeline.latency.recent",
            () => pipelines.Snapshot().SelectMany(RecentLatency),
            unit: "s",
            description: "Latency percentiles over the last minute (sliding window)");

        _meter.CreateObservableGauge(
            "edge.model.phase",
            () => models.Snapshot().SelectMany(m => Phases.Select(phase => new Measurement<int>(m.Phase == phase ? 1 : 0, Tag("model", m.Name), Tag("phase", phase.ToString().ToLowerInvariant())))),
            description: "1 for the phase each model is in, 0 for the others");
        _meter.CreateObservableGauge(
            "edge.model.serving.version",
            () => models.Snapshot().Where(m => ServingVersion(m) is not null).Select(m => new Measurement<long>(ServingVersion(m)!.Value, Tag("model", m.Name))),
            description: "The model version answering requests");

        _meter.CreateObservableGauge("edge.mqtt.connected", () => mqtt.IsConnected ? 1 : 0, description: "1 while the broker connection is up");
        _meter.CreateObservableUpDownCounter("edge.mqtt.outbox.depth", () => (long)mqtt.Statistics.Queued, unit: "{message}", description: "Messages waiting for the broker's acknowledgement");
        _meter.CreateObservableCounter("edge.mqtt.connections", () => mqtt.Statistics.Connections, unit: "{connection}", description: "Successful connects since start");
        _meter.CreateObservableCounter("edge.mqtt.messages.acknowledged", () => mqtt.Statistics.Acknowledged, unit: "{message}", description: "Messages the broker acknowledged");
        _meter.CreateObservableCounter("edge.mqtt.messages.rejected", () => mqtt.Statistics.Rejected, unit: "{message}", description: "Messages the broker refused or that found the queue full");
        _meter.CreateObservableCounter("edge.mqtt.messages.received", () => mqtt.Statistics.Received, unit: "{message}", description: "Messages delivered to subscription handlers");

        _meter.CreateObservableGauge(
            "edge.health.status",
            () => health.Latest is { } report ? (int)report.Status : -1,
            description: "Overall health: 2 healthy, 1 degraded, 0 unhealthy, -1 not checked yet");

        void Counter(string name, string description, Func<PipelineStatus, long> read) =>
            _meter.CreateObservableCounter(name, () => pipelines.Snapshot().Select(p => new Measurement<long>(read(p), Tag("pipeline", p.Name))), unit: "{sample}", description: description);
    }

    public void Dispose() => _meter.Dispose();

    private static IEnumerable<Measurement<double>> RecentLatency(PipelineStatus pipeline)
    {
        if (pipeline.LatencyP50Ms is { } p50)
        {
            yield return new Measurement<double>(p50 / 1000, Tag("pipeline", pipeline.Name), Tag("quantile", "0.5"));
        }

        if (pipeline.LatencyP99Ms is { } p99)
        {
            yield return new Measurement<double>(p99 / 1000, Tag("pipeline", pipeline.Name), Tag("quantile", "0.99"));
        }
    }

    private static long? ServingVersion(ModelStatus model) => model.ServingVersion ?? (model.Phase == ModelPhase.Serving ? model.Version : null);

    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);
}
