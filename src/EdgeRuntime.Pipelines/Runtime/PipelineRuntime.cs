using EdgeRuntime.Core.Learning;
using EdgeRuntime.Core.Outbox;
using EdgeRuntime.Core.Pipelines;
using EdgeRuntime.Core.Vision;
using EdgeRuntime.Inference.Serving;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Topics;
using EdgeRuntime.Pipelines.Batching;
using EdgeRuntime.Pipelines.Configuration;
using EdgeRuntime.Pipelines.Results;
using EdgeRuntime.Pipelines.Stages;
using Microsoft.Extensions.Logging;

namespace EdgeRuntime.Pipelines.Runtime;

/// <summary>
/// Every configured pipeline of the device, running: one <see cref="MicroBatcher"/> per model shared by the
/// pipelines that use it, the sources of each pipeline feeding it, results to MQTT and the SQLite store, each
/// pipeline's status on the board. A source that cannot start or fails later is reported in its pipeline's state
/// and the log; the other sources and pipelines keep running. Start once, dispose once.
/// </summary>
public sealed partial class PipelineRuntime : IAsyncDisposable, IInferenceLoad
{
    private readonly List<(SensorPipeline Pipeline, List<RunningSource> Sources, ResultPublisher? Publisher)> _pipelines = [];
    private readonly Dictionary<string, MicroBatcher> _batchers = new(StringComparer.Ordinal);
    private readonly List<Task> _running = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly PipelineStatusBoard _board;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SqliteResultStore? _store;

    /// <summary>
    /// Builds the pipelines (sources are created, nothing runs yet). Detector stages get their frame pre-processors
    /// from <paramref name="framePreprocessors"/> (null: the C# path), which stays the caller's to dispose; forecast
    /// stages report to <paramref name="forecastObserver"/> when given (on-device learning). Pipelines whose results are
    /// durable (<see cref="ResultOptions.Durable"/>) send them through <paramref name="outbox"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">A source's file is unreadable or malformed.</exception>
    public PipelineRuntime(
        IReadOnlyList<PipelineOptions> pipelines,
        BatchingOptions batching,
        ModelServer server,
        MqttConnectionSupervisor? connection,
        MqttTopics topics,
        string deviceId,
        SqliteResultStore? store,
        PipelineStatusBoard board,
        TimeProvider timeProvider,
        ILogger<PipelineRuntime> logger,
        IFramePreprocessorFactory? framePreprocessors = null,
        IForecastObserver? forecastObserver = null,
        IDurableOutbox? outbox = null)
    {
        ArgumentNullException.ThrowIfNull(pipelines);
        _board = board;
        _logger = logger;
        _time = timeProvider;
        _store = store;
        foreach (var options in pipelines.Where(p => p.Enabled))
        {
            if (!_batchers.TryGetValue(options.Model.Name, out var batcher))
            {
                batcher = new MicroBatcher(server, options.Model.Name, batching, timeProvider);
                _batchers[options.Model.Name] = batcher;
            }

            var sinks = new List<IResultSink>();
            ResultPublisher? publisher = options.Results.Durable && outbox is not null
                ? new DurableResultPublisher(outbox, options.Name, options.Results, timeProvider)
                : connection is null ? null : new MqttResultPublisher(connection, topics, deviceId, options.Name, options.Results, timeProvider);
            if (publisher is not null)
            {
                sinks.Add(publisher);
            }

            if (store is not null && options.Results.Store)
            {
                sinks.Add(store);
            }

            var stage = StageFactory.Create(options.Stage, options.Name, options.Model.Name, forecastObserver, framePreprocessors);
            var pipeline = new SensorPipeline(options, stage, server, batcher, sinks, timeProvider);
            List<RunningSource> sources;
            try
            {
                sources = [.. options.Sources.Select(s => SourceFactory.Create(s, deviceId, timeProvider))];
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                // A recording that cannot be read stops this pipeline only; the device and its other pipelines go on.
                sources = [];
                pipeline.Fail($"source: {ex.Message.ReplaceLineEndings(" ")}");
                LogSourceFailed(_logger, options.Name, "at start", ex.Message.ReplaceLineEndings(" "));
            }

            _pipelines.Add((pipeline, sources, publisher));
        }
    }

    /// <summary>The pipelines.</summary>
    public IReadOnlyList<SensorPipeline> Pipelines => [.. _pipelines.Select(p => p.Pipeline)];

    /// <summary>Starts every source; returns at once.</summary>
    public void Start()
    {
        foreach (var (pipeline, sources, _) in _pipelines)
        {
            pipeline.StateChanged += () =>
            {
                LogState(_logger, pipeline.Name, pipeline.State);
                _board.StateChanged();
            };
            _board.Register(pipeline.Name, pipeline.Status);
            foreach (var running in sources)
            {
                if (running.Driver is { } driver)
                {
                    _running.Add(Guard(pipeline, running.Source.Name + " (simulator)", () => driver(_stopping.Token)));
                }

                _running.Add(Guard(pipeline, running.Source.Name, () => running.Source.RunAsync(pipeline, _stopping.Token)));
            }

            LogStarted(_logger, pipeline.Name, string.Join(", ", sources.Select(s => s.Source.Name)), pipeline.Model);
        }
    }

    /// <summary>The live line of every pipeline.</summary>
    public IEnumerable<string> LiveLines() => _pipelines.Select(p => p.Publisher is { } publisher
        ? $"{p.Pipeline.LiveLine()} | published {publisher.Published}{(publisher.Throttled > 0 ? $" throttled {publisher.Throttled}" : string.Empty)}{(publisher.NotQueued > 0 ? $" not queued {publisher.NotQueued}" : string.Empty)}"
        : p.Pipeline.LiveLine());

    /// <inheritdoc />
    public InferenceLoad Current
    {
        get
        {
            long queued = 0;
            double? p99 = null;
            foreach (var (pipeline, _, _) in _pipelines)
            {
                queued += pipeline.Counters.Queued;
                if (pipeline.Counters.RecentP99Ms is { } recent && (p99 is null || recent > p99))
                {
                    p99 = recent;
                }
            }

            return new InferenceLoad(queued, p99);
        }
    }

    /// <summary>Why results are not being stored, if they are not (the last storage error), else null.</summary>
    public string? StoreProblem => _store?.LastError;

    /// <summary>Stops sources and batchers, flushes the store.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_running);
        foreach (var batcher in _batchers.Values)
        {
            await batcher.DisposeAsync();
        }

        foreach (var (pipeline, sources, _) in _pipelines)
        {
            _board.Unregister(pipeline.Name);
            foreach (var source in sources)
            {
                source.Dispose();
            }
        }

        if (_store is not null)
        {
            await _store.FlushAsync(CancellationToken.None);
        }

        _stopping.Dispose();
    }

    private Task Guard(SensorPipeline pipeline, string source, Func<Task> run) => Task.Run(async () =>
    {
        try
        {
            await run();
            LogSourceFinished(_logger, pipeline.Name, source);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            pipeline.Fail($"source {source}: {ex.Message.ReplaceLineEndings(" ")}");
            LogSourceFailed(_logger, pipeline.Name, source, ex.Message.ReplaceLineEndings(" "));
        }
    });

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline {Pipeline} started: sources {Sources}, model {Model}")]
    private static partial void LogStarted(ILogger logger, string pipeline, string sources, string model);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline {Pipeline}: {State}")]
    private static partial void LogState(ILogger logger, string pipeline, string state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline {Pipeline}: source {Source} reached its end")]
    private static partial void LogSourceFinished(ILogger logger, string pipeline, string source);

    [LoggerMessage(Level = LogLevel.Error, Message = "Pipeline {Pipeline}: source {Source} failed: {Reason}")]
    private static partial void LogSourceFailed(ILogger logger, string pipeline, string source, string reason);
}
