using System.Collections.Concurrent;
using System.Text.Json;
using EdgeRuntime.Core.Learning;
using EdgeRuntime.Core.Vision;
using EdgeRuntime.Inference.Runtime;
using EdgeRuntime.Inference.Serving;
using EdgeRuntime.Pipelines.Batching;
using EdgeRuntime.Pipelines.Configuration;
using EdgeRuntime.Pipelines.Results;
using EdgeRuntime.Pipelines.Runtime;
using EdgeRuntime.Pipelines.Stages;

namespace EdgeRuntime.Pipelines.Tests;

/// <summary>A pipeline on a real ONNX Runtime session, its results collected in memory and in a SQLite file.</summary>
internal sealed class PipelineRig : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-pipeline-").FullName;

    private PipelineRig(PipelineOptions options, byte[] model, BatchingOptions batching, IFramePreprocessorFactory? framePreprocessors, IForecastObserver? observer)
    {
        Server.Swap(new ServedModel(options.Model.Name, 1, ModelSession.Create(model, new SessionSettings { IntraOpThreads = 1 }), "test"));
        Batcher = new MicroBatcher(Server, options.Model.Name, batching, TimeProvider.System);
        Store = new SqliteResultStore(Path.Combine(_folder, "results.db"), new StorageOptions(), TimeProvider.System);
        IPipelineStage stage = options.Stage.Type == StageKind.Forecast ? new ForecastStage(options.Stage, options.Name, options.Model.Name, observer) : new DetectorStage(options.Stage, framePreprocessors);
        Pipeline = new SensorPipeline(options, stage, Server, Batcher, [Results, Store], TimeProvider.System);
    }

    public ModelServer Server { get; } = new();

    public MicroBatcher Batcher { get; }

    public SqliteResultStore Store { get; }

    public CollectingSink Results { get; } = new();

    public SensorPipeline Pipeline { get; }

    public string Folder => _folder;

    public static PipelineRig Create(PipelineOptions options, byte[] model, BatchingOptions? batching = null, IFramePreprocessorFactory? framePreprocessors = null, IForecastObserver? observer = null) =>
        new(options, model, batching ?? new BatchingOptions(), framePreprocessors, observer);

    /// <summary>Waits until nothing is queued and every fed sample is accounted for.</summary>
    public async Task DrainAsync()
    {
        var c = Pipeline.Counters;
        await Eventually.TrueAsync(() => c.Queued == 0 && c.Fed == c.Served + c.Dropped + c.Rejected + c.Failed + c.WaitingForModel, "the pipeline to drain", TimeSpan.FromSeconds(60));
        await Store.FlushAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await Batcher.DisposeAsync();
        await Store.DisposeAsync();
        Server.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>Keeps every result document.</summary>
internal sealed class CollectingSink : IResultSink
{
    public ConcurrentQueue<JsonElement> Documents { get; } = new();

    public void Write(PipelineResult result) => Documents.Enqueue(JsonDocument.Parse(result.Json).RootElement.Clone());
}
