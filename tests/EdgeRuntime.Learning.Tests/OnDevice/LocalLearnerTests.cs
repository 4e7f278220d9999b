using System.Security.Cryptography;
using EdgeRuntime.Core.Learning;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Core.Planning;
using EdgeRuntime.Inference.Serving;
using EdgeRuntime.Learning.Data;
using EdgeRuntime.Learning.OnDevice;
using EdgeRuntime.Learning.Simulation;
using EdgeRuntime.Learning.Training;
using EdgeRuntime.Sensors.Features;
using EdgeRuntime.Sensors.Traffic;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRuntime.Learning.Tests.OnDevice;

public sealed class LocalLearnerTests : IDisposable
{
    private const string Model = "traffic-forecast";
    private static readonly DateTimeOffset Start = new(2026, 2, 2, 0, 0, 0, TimeSpan.Zero);
    private readonly string _state = Directory.CreateTempSubdirectory("edge-learner-").FullName;
    private readonly ModelServer _server = new();
    private readonly LearningStatusBoard _board = new();

    [Fact]
    public async Task SignalisedIntersection_RoundBeatsTheShippedModel_LocalRevisionServesThroughTheActivator()
    {
        var (store, spec) = await ServeShippedAndStoreDay(signalCycleSeconds: 90);
        var revisions = new RevisionList();
        var learner = Learner(store, new LearningOptions { MinNewExamples = 1000, Epochs = 3 }, revisions);

        await learner.TickAsync([Model], TestContext.Current.CancellationToken);

        var status = Assert.Single(_board.Snapshot());
        var round = status.LastRound!;
        Assert.True(round.Accepted, round.Outcome);
        Assert.True(round.CandidateMae < 0.8 * round.ServingMae, $"held-out MAE {round.CandidateMae:0.000} against {round.ServingMae:0.000}");
        Assert.Equal(1, status.LocalRevision);
        var serving = _server.ServingSource(Model)!;
        Assert.Equal(0, serving.Version);
        Assert.Equal(Path.Combine(_state, "learning", Model, "v0", "r1", "model.onnx"), serving.Path);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(serving.Path))), serving.Sha256);
        Assert.Equal(spec.ToJson(), _server.Acquire(Model).Model.Session.CustomMetadata[FeatureSpec.MetadataKey]);

        // The accepted revision goes on to federated learning, named by its base version and revision number.
        var handed = Assert.Single(revisions);
        Assert.Equal((Model, 0L, 1, serving.Path), (handed.Model, handed.BaseVersion, handed.Revision, handed.Path));
        Assert.NotEmpty(handed.Trainable);
        Assert.True(handed.Examples > 0);

        // The round's curve is where edgectl plot looks for learning curves.
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_state, "learning.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*), MIN(step) FROM learning WHERE model = 'traffic-forecast' AND loss > 0";
            using var reader = command.ExecuteReader();
            reader.Read();
            Assert.True(reader.GetInt64(0) >= 1 && reader.GetInt64(1) > 0);
        }

        // Nothing new since: the next tick only collects.
        await learner.TickAsync([Model], TestContext.Current.CancellationToken);
        Assert.Equal("collecting-examples", _board.Snapshot()[0].State);

        // A restart serves the built-in file again; the first tick brings the local revision back.
        var builtin = Path.Combine(_state, "builtin", "model.onnx");
        await new OnnxModelActivator(_server, new ServingOptions { MeasureVariants = false, WarmupRuns = 1 }, ExecutionProvider.Cpu)
            .ActivateAsync(new InstalledModel(Model, 0, builtin, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(builtin)))), new Progress<ModelStepProgress>(), TestContext.Current.CancellationToken);
        await Learner(store, new LearningOptions { MinNewExamples = 50_000 }).TickAsync([Model], TestContext.Current.CancellationToken);
        Assert.Equal(serving.Path, _server.ServingSource(Model)!.Path);
        Assert.Equal(1, _board.Snapshot()[0].LocalRevision);
    }

    [Fact]
    public async Task CandidateNotClearlyBetter_ServingVersionStays()
    {
        var (store, _) = await ServeShippedAndStoreDay(signalCycleSeconds: 0);
        var learner = Learner(store, new LearningOptions { MinNewExamples = 1000, Epochs = 1, MinImprovement = 0.5 });

        await learner.TickAsync([Model], TestContext.Current.CancellationToken);

        var round = _board.Snapshot()[0].LastRound!;
        Assert.False(round.Accepted);
        Assert.Matches(@"^kept the serving version: the tuned one was (\d+\.\d% (better|worse)|no better) on the newest \d+ examples \(held-out MAE [\d.]+ against [\d.]+\), more than 50% better needed$", round.Outcome);
        Assert.Equal(Path.Combine(_state, "builtin", "model.onnx"), _server.ServingSource(Model)!.Path);
    }

    [Fact]
    public async Task CpuBudgetSpentMidRound_RoundStops_NothingActivated()
    {
        var (store, _) = await ServeShippedAndStoreDay(signalCycleSeconds: 90);
        // A budget of a microsecond is spent by the first step on any machine (a 50 ms budget outlasted a whole round on a fast one).
        var learner = Learner(store, new LearningOptions { MinNewExamples = 1000, Epochs = 3, CpuSecondsPerHour = 1e-6 });

        await learner.TickAsync([Model], TestContext.Current.CancellationToken);

        var status = _board.Snapshot()[0];
        Assert.StartsWith("stopped: the hour's CPU budget", status.LastRound!.Outcome, StringComparison.Ordinal);
        Assert.Equal(0, status.LocalRevision);
        Assert.True(learner.CpuTime > TimeSpan.Zero, $"{learner.CpuTime.TotalMilliseconds} ms recorded");
    }

    [Fact]
    public async Task CancelledMidRound_StatusLeavesTraining_AndTheNextTickTrainsAgain()
    {
        var (store, _) = await ServeShippedAndStoreDay(signalCycleSeconds: 90);
        var load = new SwitchableLoad { Queued = 1 };
        var learner = new LocalLearner(new LearningOptions { MinNewExamples = 1000, Epochs = 1 }, store, _server, new OnnxModelActivator(_server, new ServingOptions { MeasureVariants = false, WarmupRuns = 1 }, ExecutionProvider.Cpu), load, _board, _state, KernelUpdaters.Create, TimeProvider.System, NullLogger<LocalLearner>.Instance);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        // Inference is queued, so the round gives way before its first step; it is cancelled while it waits.
        var tick = learner.TickAsync([Model], cancel.Token);
        await Eventually.TrueAsync(() => _board.Snapshot() is [{ State: "training" }], "the round to start");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => tick);

        var cancelled = Assert.Single(_board.Snapshot());
        Assert.Equal("collecting-examples", cancelled.State);
        Assert.Equal("round cancelled before it finished; nothing changed", cancelled.Detail);
        Assert.Null(cancelled.LastRound);
        Assert.Equal(0, cancelled.LocalRevision);

        // The examples still count as new: the next tick runs the round instead of waiting for 1000 more.
        load.Queued = 0;
        await learner.TickAsync([Model], TestContext.Current.CancellationToken);
        Assert.NotNull(Assert.Single(_board.Snapshot()).LastRound);
    }

    [Theory]
    [InlineData("refused")]
    [InlineData("disk")]
    [InlineData("cancelled")]
    public async Task TunedVersionDoesNotActivate_NoRevisionLeftForTheNextStart_AndTheStatusSaysSo(string failure)
    {
        var (store, _) = await ServeShippedAndStoreDay(signalCycleSeconds: 90);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var activator = new FailingActivator(() => failure switch
        {
            "refused" => new ModelActivationException("preflight: not enough memory"),
            "disk" => new IOException("No space left on device"),
            _ => Cancelled(cancel),
        });
        var revisions = new RevisionList();
        var learner = new LocalLearner(new LearningOptions { MinNewExamples = 1000, Epochs = 3 }, store, _server, activator, new IdleLoad(), _board, _state, KernelUpdaters.Create, TimeProvider.System, NullLogger<LocalLearner>.Instance, revisions);

        var thrown = await Record.ExceptionAsync(() => learner.TickAsync([Model], cancel.Token));

        // Only a cancellation ends the tick with an exception; a failed round is a round that did not serve.
        Assert.Equal(failure == "cancelled", thrown is OperationCanceledException);
        Assert.Equal(1, activator.Calls);
        var status = Assert.Single(_board.Snapshot());
        Assert.Equal("collecting-examples", status.State);
        Assert.Equal(0, status.LocalRevision);
        Assert.Empty(revisions);
        switch (failure)
        {
            case "refused":
                Assert.Equal("the tuned version did not activate: preflight: not enough memory", status.LastRound!.Outcome);
                break;
            case "disk":
                Assert.Equal("round failed: IOException: No space left on device", status.LastRound!.Outcome);
                break;
            default:
                Assert.Equal("round cancelled before it finished; nothing changed", status.Detail);
                break;
        }

        // The next start restores the newest revision on disk: one that never served must not be there.
        Assert.Empty(Directory.GetFiles(Path.Combine(_state, "learning"), "*.onnx", SearchOption.AllDirectories));
        Assert.Equal(Path.Combine(_state, "builtin", "model.onnx"), _server.ServingSource(Model)!.Path);
    }

    private static OperationCanceledException Cancelled(CancellationTokenSource cancel)
    {
        cancel.Cancel();
        return new OperationCanceledException(cancel.Token);
    }

    [Fact]
    public async Task Tick_RunsOnTheLearningThreadAtNice10_NeverOnTheCallersThread()
    {
        var (store, _) = await ServeShippedAndStoreDay(signalCycleSeconds: 0);
        var source = new ThreadRecordingSource(_server);
        var options = new LearningOptions { MinNewExamples = int.MaxValue };
        var learner = new LocalLearner(options, store, source, new OnnxModelActivator(_server, new ServingOptions { MeasureVariants = false, WarmupRuns = 1 }, ExecutionProvider.Cpu), new IdleLoad(), _board, _state, KernelUpdaters.Create, TimeProvider.System, NullLogger<LocalLearner>.Instance);

        await learner.TickAsync([Model], TestContext.Current.CancellationToken);

        // The store was flushed (a SQLite transaction with fsync) and the serving version looked up there, not here.
        Assert.True(store.Count(Model) > 0, "the tick flushed the queued examples");
        var call = Assert.Single(source.Calls);
        Assert.Equal("edge-learning", call.Thread);
        Assert.NotEqual(Environment.CurrentManagedThreadId, call.ManagedId);
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(KernelUpdaters.BackgroundNice, call.Nice);
        }

        Assert.Equal("collecting-examples", _board.Snapshot()[0].State);
    }

    public void Dispose()
    {
        _server.Dispose();
        Directory.Delete(_state, recursive: true);
    }

    private LocalLearner Learner(LabelledExampleStore store, LearningOptions options, ILocalRevisionSink? revisions = null) =>
        new(options, store, _server, new OnnxModelActivator(_server, new ServingOptions { MeasureVariants = false, WarmupRuns = 1 }, ExecutionProvider.Cpu), new IdleLoad(), _board, _state, KernelUpdaters.Create, TimeProvider.System, NullLogger<LocalLearner>.Instance, revisions);

    // The shipped forecaster serves as v0; a simulated day of this intersection's windows, labelled, is in the store.
    private async Task<(LabelledExampleStore Store, FeatureSpec Spec)> ServeShippedAndStoreDay(double signalCycleSeconds)
    {
        var bytes = File.ReadAllBytes(Path.Combine(TestEnvironment.RepositoryRoot, "configs", "models", "traffic-forecast.onnx"));
        var folder = Directory.CreateDirectory(Path.Combine(_state, "builtin")).FullName;
        var path = Path.Combine(folder, "model.onnx");
        File.WriteAllBytes(path, bytes);
        var activator = new OnnxModelActivator(_server, new ServingOptions { MeasureVariants = false, WarmupRuns = 1 }, ExecutionProvider.Cpu);
        await activator.ActivateAsync(new InstalledModel(Model, 0, path, Convert.ToHexStringLower(SHA256.HashData(bytes))), new Progress<ModelStepProgress>(), TestContext.Current.CancellationToken);

        var spec = FeatureSpec.TryParse(_server.Acquire(Model).Model.Session.CustomMetadata[FeatureSpec.MetadataKey], out _)!;
        var scenario = new TrafficScenario { Seed = 99, SignalCycleSeconds = signalCycleSeconds, IncidentsPerLanePerDay = 4 };
        var day = ForecastDataset.Build(spec, IntervalSeries.Simulate(SimulatedLanes.Intersection(), scenario, Start.AddHours(6), TimeSpan.FromHours(8)));
        var store = new LabelledExampleStore(Path.Combine(_state, "learning.db"));
        for (var i = 0; i < day.Count; i++)
        {
            store.Add(new LabelledExample("traffic", Model, 0, day.StreamNames[day.Stream(i)], day.Time(i), TimeSpan.FromSeconds(10), day.Window(i).ToArray(), day.Target(i).ToArray(), day.Weight(i).ToArray(), new float[day.Horizons]));
        }

        return (store, spec);
    }

    // What the federated side would receive (the real sink is tested in EdgeRuntime.Federated.Tests).
    private sealed class RevisionList : List<LocalRevision>, ILocalRevisionSink
    {
        public string? Accept(LocalRevision revision)
        {
            Add(revision);
            return null;
        }
    }

    // Which thread, at which nice value, asks for the serving version.
    private sealed class ThreadRecordingSource(IServingModelSource inner) : IServingModelSource
    {
        public List<(string? Thread, int ManagedId, int? Nice)> Calls { get; } = [];

        public InstalledModel? ServingSource(string name)
        {
            // Field 19 of /proc/thread-self/stat is the nice value (after the command name in parentheses).
            int? nice = null;
            if (File.Exists("/proc/thread-self/stat"))
            {
                var stat = File.ReadAllText("/proc/thread-self/stat");
                nice = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], System.Globalization.CultureInfo.InvariantCulture);
            }

            lock (Calls)
            {
                Calls.Add((Thread.CurrentThread.Name, Environment.CurrentManagedThreadId, nice));
            }

            return inner.ServingSource(name);
        }
    }

    private sealed class IdleLoad : IInferenceLoad
    {
        public InferenceLoad Current => default;
    }

    // An activator that fails the way a device can: preflight refuses, the disk is full, the daemon stops.
    private sealed class FailingActivator(Func<Exception> failure) : IModelActivator
    {
        public int Calls { get; private set; }

        public Task ActivateAsync(InstalledModel model, IProgress<ModelStepProgress> progress, CancellationToken cancellationToken)
        {
            Calls++;
            throw failure();
        }

        public long? ServingVersion(string name) => null;
    }

    // Inference requests waiting, as the pipelines would report them; settable while a round runs.
    private sealed class SwitchableLoad : IInferenceLoad
    {
        private long _queued;

        public long Queued
        {
            get => Volatile.Read(ref _queued);
            set => Volatile.Write(ref _queued, value);
        }

        public InferenceLoad Current => new(Queued, null);
    }
}
