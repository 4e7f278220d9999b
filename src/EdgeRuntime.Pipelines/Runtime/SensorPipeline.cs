using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using EdgeRuntime.Core.Pipelines;
using EdgeRuntime.Inference.Serving;
using EdgeRuntime.Pipelines.Batching;
using EdgeRuntime.Pipelines.Configuration;
using EdgeRuntime.Pipelines.Metrics;
using EdgeRuntime.Pipelines.Results;
using EdgeRuntime.Pipelines.Stages;
using EdgeRuntime.Sensors.Samples;

namespace EdgeRuntime.Pipelines.Runtime;

/// <summary>
/// One configured pipeline: takes its sources' samples, prepares them for the model version serving now (waiting,
/// and saying so, while there is none), queues them on the model's <see cref="MicroBatcher"/>, and turns each reply
/// into a result document for its sinks. Every sample is accounted for in <see cref="Counters"/>. Thread-safe: sources
/// may offer from several threads.
/// </summary>
public sealed class SensorPipeline : ISampleSink, IInferenceClient
{
    private readonly PipelineOptions _options;
    private readonly IPipelineStage _stage;
    private readonly ModelServer _server;
    private readonly MicroBatcher _batcher;
    private readonly IReadOnlyList<IResultSink> _sinks;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _writer = new(Stream.Null, new JsonWriterOptions { Encoder = ResultEncoder });
    private readonly ConcurrentDictionary<string, LatestResult> _lastByStream = new(StringComparer.Ordinal);
    private readonly JsonEncodedText _encodedName;
    private readonly JsonEncodedText _encodedModel;
    private readonly KeyValuePair<string, object?> _latencyTags;
    private long? _configuredVersion;
    private string? _configurationError;
    private long? _lastVersion;
    private string _state;

    /// <summary>Creates the pipeline; it does nothing until a source offers a sample.</summary>
    public SensorPipeline(PipelineOptions options, IPipelineStage stage, ModelServer server, MicroBatcher batcher, IReadOnlyList<IResultSink> sinks, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _stage = stage;
        _server = server;
        _batcher = batcher;
        _sinks = sinks;
        _time = timeProvider;
        Counters = new PipelineCounters(timeProvider);
        _latencyTags = new KeyValuePair<string, object?>("pipeline", options.Name);
        _state = FirstSampleState;
        _encodedName = JsonEncodedText.Encode(options.Name, ResultEncoder);
        _encodedModel = JsonEncodedText.Encode(options.Model.Name, ResultEncoder);
    }

    private static System.Text.Encodings.Web.JavaScriptEncoder ResultEncoder => System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>Raised when <see cref="State"/> changes.</summary>
    public event Action? StateChanged;

    /// <summary>The pipeline's name.</summary>
    public string Name => _options.Name;

    /// <summary>The model it runs.</summary>
    public string Model => _options.Model.Name;

    /// <summary>Its accounting.</summary>
    public PipelineCounters Counters { get; }

    /// <summary>"waiting for the first sample", "running", "waiting for model NAME" or "failed: reason".</summary>
    public string State => Volatile.Read(ref _state);

    private string WaitingState => $"waiting for model {_options.Model.Name}";

    /// <summary>The state from start until the first sample arrives (a loop detector's first window can take 30 s), whether or not the model serves yet.</summary>
    private const string FirstSampleState = "waiting for the first sample";

    /// <summary>The status document's entry for this pipeline.</summary>
    public PipelineStatus Status() => new(
        Name,
        State,
        Model,
        _lastVersion,
        Counters.Fed,
        Counters.Served,
        Counters.Dropped,
        Counters.Rejected,
        Counters.Failed,
        Counters.WaitingForModel,
        Counters.Queued,
        Counters.RecentLatency.PercentileMs(0.5),
        Counters.RecentLatency.PercentileMs(0.99),
        Counters.MeanBatch);

    /// <summary>A one-line summary of the latest result per stream, for the live log line.</summary>
    public string LiveLine()
    {
        var streams = string.Join(" | ", _lastByStream.OrderBy(s => s.Key, StringComparer.Ordinal).Take(8).Select(s => $"{s.Key} {s.Value.Gist.Describe()}"));
        var more = _lastByStream.Count > 8 ? $" | +{_lastByStream.Count - 8} streams" : string.Empty;
        var p50 = Counters.RecentLatency.PercentileMs(0.5);
        var p99 = Counters.RecentLatency.PercentileMs(0.99);
        var latency = p50 is null ? (Counters.Served == 0 ? "no results yet" : "no results in the last minute") : $"p50 {p50:0.00} ms p99 {p99:0.00} ms (last minute)";
        // Before the first result, the version that will serve it (v0 serves from the start; the first sample can take 30 s).
        var version = (_lastVersion ?? _server.ServingVersion(Model)) is { } serving ? $"v{serving.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : "no model yet";
        return $"{Name} [{State}, {version}] {streams}{more} | {latency} | served {Counters.Served} dropped {Counters.Dropped} rejected {Counters.Rejected} failed {Counters.Failed}";
    }

    /// <summary>Marks the pipeline failed with <paramref name="reason"/> (a source that could not start or stopped).</summary>
    public void Fail(string reason)
    {
        _sourceFailure = reason;
        SetState($"failed: {reason}");
    }

    private volatile string? _sourceFailure;

    /// <inheritdoc />
    public bool Offer(SensorSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        Counters.OnFed();
        var version = _server.ServingVersion(Model);
        if (version is null)
        {
            Counters.OnWaitingForModel();
            SetState(WaitingState);
            return false;
        }

        if (!EnsureConfigured(version.Value))
        {
            Counters.OnFailed();
            return false;
        }

        PreparedInput? input;
        try
        {
            input = _stage.Prepare(sample);
        }
        catch (Exception ex) when (ex is InvalidDataException or ArgumentException or InvalidCastException)
        {
            input = null;
            SetState($"failed: {ex.Message}");
        }

        if (input is null)
        {
            Counters.OnFailed();
            return false;
        }

        return _batcher.Offer(new InferenceRequest(sample, input, Counters, this));
    }

    /// <inheritdoc />
    void IInferenceClient.OnReply(InferenceRequest request, InferenceReply reply) => Complete(request.Sample, request.Prepared, reply);

    /// <inheritdoc />
    void IInferenceClient.OnFailure(InferenceRequest request, Exception error)
    {
        Counters.OnFailed();
        SetState($"failed: {error.Message.ReplaceLineEndings(" ")}");
    }

    private bool EnsureConfigured(long version)
    {
        if (_configuredVersion == version)
        {
            return _configurationError is null;
        }

        lock (_gate)
        {
            if (_configuredVersion == version)
            {
                return _configurationError is null;
            }

            try
            {
                using var lease = _server.Acquire(Model);
                var session = lease.Model.Session;
                var inputs = session.InputMetadata.ToDictionary(i => i.Key, i => i.Value.Dimensions, StringComparer.Ordinal);
                _configurationError = _stage.Configure(new ServedModelFacts(Model, lease.Model.Version, inputs, session.CustomMetadata));
            }
            catch (ModelNotServingException)
            {
                _configurationError = $"model {Model} went out of service";
            }

            _configuredVersion = version;
            SetState(_configurationError is not null ? $"failed: {_configurationError}" : _sourceFailure is not null ? $"failed: {_sourceFailure}" : "running");
            return _configurationError is null;
        }
    }

    private void Complete(SensorSample sample, PreparedInput input, InferenceReply reply)
    {
        // Replies come one at a time (from the batcher or its completion worker, never both at once), so one reusable
        // writer serves them all.
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        _writer.WriteStartObject();
        _writer.WriteString(ResultFields.Pipeline, _encodedName);
        _writer.WriteString(ResultFields.Stream, sample.Stream);
        _writer.WriteStartObject(ResultFields.Model);
        _writer.WriteString(ResultFields.Name, _encodedModel);
        _writer.WriteNumber(ResultFields.Version, reply.Version);
        _writer.WriteEndObject();
        var gist = _stage.Finish(sample, input, reply, _writer);
        var latency = _time.GetElapsedTime(sample.ReadyTimestamp);
        _writer.WriteNumber(ResultFields.LatencyMs, Math.Round(latency.TotalMilliseconds, 3));
        _writer.WriteNumber(ResultFields.Batch, reply.BatchSize);
        _writer.WriteEndObject();
        _writer.Flush();
        var result = new PipelineResult(Name, sample.Stream, sample.Time, reply.Version, _buffer.WrittenSpan.ToArray());
        foreach (var sink in _sinks)
        {
            sink.Write(result);
        }

        Counters.RecordLatency(latency);
        PipelineInstruments.Latency.Record(latency.TotalSeconds, _latencyTags);
        _lastVersion = reply.Version;
        Counters.OnServed();
        // One holder per stream, replaced in place: the live line reads it, nothing allocates per result.
        if (_lastByStream.TryGetValue(sample.Stream, out var latest))
        {
            latest.Gist = gist;
        }
        else
        {
            _lastByStream[sample.Stream] = new LatestResult { Gist = gist };
        }

        if (State != "running" && _configurationError is null && _sourceFailure is null)
        {
            SetState("running");
        }
    }

    private void SetState(string state)
    {
        if (Interlocked.Exchange(ref _state, state) != state)
        {
            StateChanged?.Invoke();
        }
    }

    private sealed class LatestResult
    {
        public ResultGist Gist { get; set; }
    }
}
