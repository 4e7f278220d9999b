using System.Globalization;
using System.Security.Cryptography;
using EdgeRuntime.Core.Compute;
using EdgeRuntime.Core.IO;
using EdgeRuntime.Core.Learning;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Graph.Autodiff;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Learning.Training;
using EdgeRuntime.Sensors.Features;
using Microsoft.Extensions.Logging;

namespace EdgeRuntime.Learning.OnDevice;

/// <summary>
/// On-device learning for the models of the forecast pipelines. Each <see cref="TickAsync"/> writes the labelled
/// examples the pipelines produced to disk and asks <see cref="LearningPolicy"/> whether to train; a round fine-tunes
/// the serving version's trainable part (head and biases by default) on the stored examples except the newest
/// <see cref="LearningOptions.HoldoutFraction"/>, on a thread of its own at low priority that pauses while inference
/// waits or is slow and stops at the hour's CPU budget; then both the serving and the tuned version forecast the held-out
/// examples, and the tuned one is activated — through the optimiser and verifier like any delivered version, as a local
/// revision of the serving version — only if it is better by the configured margin; an accepted revision then goes to
/// <paramref name="revisions"/> (federated learning), when given. Not thread-safe: one caller ticks.
/// </summary>
public sealed partial class LocalLearner(
    LearningOptions options,
    LabelledExampleStore store,
    IServingModelSource serving,
    IModelActivator activator,
    IInferenceLoad load,
    LearningStatusBoard board,
    string stateDirectory,
    Func<IReadOnlyList<float[]>, TrainingOptions, IParameterUpdater> createUpdater,
    TimeProvider timeProvider,
    ILogger<LocalLearner> logger,
    ILocalRevisionSink? revisions = null,
    Func<TimeSpan?>? updaterCpuTime = null) : IDisposable
{
    private readonly CpuBudgetLedger _cpu = new();
    private readonly Dictionary<string, ModelLearning> _models = new(StringComparer.Ordinal);

    /// <summary>Training CPU time since this learner was made.</summary>
    public TimeSpan CpuTime => _cpu.Total;

    /// <summary>The folder of local revisions: {state}/learning/{model}/v{base}/r{n}/model.onnx.</summary>
    public string Root => Path.Combine(stateDirectory, "learning");

    /// <summary>Closes the training sessions kept between rounds.</summary>
    public void Dispose()
    {
        foreach (var learning in _models.Values)
        {
            learning.Dispose();
        }

        _models.Clear();
    }

    /// <summary>
    /// Flushes examples and runs a round for each model whose policy says so. The whole tick runs on the learning thread
    /// (nice 10), not on the caller's: flushing is a SQLite transaction with fsync and a trimming scan, counting rows is
    /// an index scan of every stored example, and restoring or activating a revision optimises and verifies a model —
    /// on the thread pool at normal priority those competed with serving at every round boundary (the device-day
    /// benchmark's --timeline showed serving's slow samples gathered in the first and last milliseconds of each round).
    /// </summary>
    public Task TickAsync(IReadOnlyCollection<string> modelNames, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelNames);
        return RunOnLearningThreadAsync(() => Tick(modelNames, cancellationToken), cancellationToken);
    }

    private void Tick(IReadOnlyCollection<string> modelNames, CancellationToken cancellationToken)
    {
        try
        {
            store.Flush();
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex)
        {
            LogStoreFailed(logger, ex.Message);
        }

        foreach (var name in modelNames)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!_models.TryGetValue(name, out var learning))
            {
                learning = new ModelLearning(name);
                _models[name] = learning;
            }

            var source = serving.ServingSource(name);
            if (source is not null && !learning.Restored)
            {
                // Once per start: the newest local revision of the serving version serves again, as before the restart.
                learning.Restored = true;
                source = RestoreRevision(name, source, cancellationToken) ?? source;
            }

            var stored = store.Count(name);
            var spec = source is null ? null : learning.SpecOf(source);
            var state = new LearningState(source?.Version, spec is not null, stored - learning.ExamplesAtLastRound, _cpu.UsedInLastHour(timeProvider.GetUtcNow()));
            var decision = LearningPolicy.Decide(state, options);
            if (decision != LearningCode.Train)
            {
                Report(learning, source, stored, Code(decision), decision == LearningCode.CollectingExamples ? $"{state.NewExamples} of {options.MinNewExamples} new examples" : null);
                continue;
            }

            var examplesBefore = learning.ExamplesAtLastRound;
            learning.ExamplesAtLastRound = stored;
            Report(learning, source, stored, "training", null);
            LearningRound round;
            var failed = false;
            try
            {
                round = Round(learning, source!, spec!, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The daemon stops (or the tick was called off) mid-round: nothing was activated, so the status must not
                // go on saying "training", and the examples count as new again for the next start's first round.
                learning.ExamplesAtLastRound = examplesBefore;
                Report(learning, source, stored, "collecting-examples", "round cancelled before it finished; nothing changed");
                throw;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Any other failure (the store, the disk, ONNX Runtime) ends this round, not the daemon: serving goes on with
                // what served, the status says what happened, and the next round waits for new examples as after any
                // round (a failure that persists does not retry at every tick).
                LogRoundFailed(logger, name, ex.GetType().Name, ex.Message);
                failed = true;
                round = new LearningRound(timeProvider.GetUtcNow(), 0, 0, double.NaN, double.NaN, false, $"round failed: {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
            }

            learning.LastRound = round;
            if (!round.Accepted && !failed)
            {
                // A round that changed nothing is worth a line too: at the default pace a round comes every hour or so,
                // and without it the log says nothing of learning until one serves.
                LogRoundKept(logger, name, source!.Version, round.Outcome);
            }

            Report(learning, serving.ServingSource(name), store.Count(name), "collecting-examples", round.Outcome);
        }
    }

    private LearningRound Round(ModelLearning learning, InstalledModel source, FeatureSpec spec, CancellationToken cancellationToken)
    {
        var all = learning.Examples.Refresh(store, learning.Model, spec, options.MaxTrainingExamples);
        var heldOut = Math.Clamp((int)Math.Round(all.Count * options.HoldoutFraction), 1, Math.Max(1, all.Count - 1));
        var train = all.Range(0, all.Count - heldOut);
        var holdout = all.Range(all.Count - heldOut, heldOut);
        KeptSession session;
        try
        {
            session = learning.SessionFor(source, new ForecastTrainingData(train), () =>
            {
                var model = OnnxModelReader.Read(source.Path);
                return (model, options.Trainable.Count > 0 ? TrainableSelection.Named(model, options.Trainable) : TrainableSelection.DefaultHead(model));
            });
        }
        catch (Exception ex) when (ex is TrainingGraphException or ArgumentException or OnnxFormatException)
        {
            return new LearningRound(timeProvider.GetUtcNow(), train.Count, holdout.Count, double.NaN, double.NaN, false, $"cannot train: {ex.Message}");
        }

        var training = new TrainingOptions
        {
            Epochs = options.Epochs,
            BatchSize = options.BatchSize,
            LearningRate = options.LearningRate,
            ValidationFraction = 0.1,
            Patience = 2,
            IntraOpThreads = 1,
        };

        // A step's CPU is this thread's (ONNX Runtime runs on it) plus what the updater's kernels used elsewhere (the CPU
        // accelerator's worker threads).
        TimeSpan? TrainingCpu() => ThreadCpuClock.Now() is { } own ? own + (updaterCpuTime?.Invoke() ?? TimeSpan.Zero) : null;
        var lastCpu = TrainingCpu();
        var lastWall = timeProvider.GetTimestamp();
        void BeforeStep(CancellationToken token)
        {
            // Account the step that just ran, then give way to serving until it is idle again.
            var cpuNow = TrainingCpu();
            var used = cpuNow is { } c && lastCpu is { } l ? c - l : timeProvider.GetElapsedTime(lastWall);
            _cpu.Record(timeProvider.GetUtcNow(), used);
            while (LearningPolicy.MayStep(load.Current, _cpu.UsedInLastHour(timeProvider.GetUtcNow()), options) is var gate && gate != StepGate.Go)
            {
                if (gate == StepGate.CpuBudgetSpent)
                {
                    throw new CpuBudgetSpentException();
                }

                learning.Pauses++;
                Task.Delay(TimeSpan.FromMilliseconds(20), timeProvider, token).GetAwaiter().GetResult();
            }

            lastCpu = TrainingCpu();
            lastWall = timeProvider.GetTimestamp();
        }

        TrainingResult result;
        try
        {
            result = session.Value.Train(new ForecastTrainingData(train), training, createUpdater, beforeStep: BeforeStep, cancellationToken: cancellationToken);
        }
        catch (CpuBudgetSpentException)
        {
            return new LearningRound(timeProvider.GetUtcNow(), train.Count, holdout.Count, double.NaN, double.NaN, false, "stopped: the hour's CPU budget was spent before the round finished");
        }
        catch (Exception ex) when (ex is TrainingGraphException or ArgumentException)
        {
            return new LearningRound(timeProvider.GetUtcNow(), train.Count, holdout.Count, double.NaN, double.NaN, false, $"cannot train: {ex.Message}");
        }

        store.RecordCurve(learning.Model, timeProvider.GetUtcNow(), result.Steps / Math.Max(1, result.EpochsRun), result.TrainingLoss, result.ValidationLoss);

        // Both versions score the held-out examples through the training session's forward pass and loss: the
        // weighted MAE of the normalised forecast, which times the target's deviation is the MAE in its unit (weights
        // are 0 or 1). No second session, no model bytes, no forecast arrays.
        var heldOutData = new ForecastTrainingData(holdout);
        var targetStd = spec.Std[spec.TargetColumn];
        var servingMae = session.Value.Loss(heldOutData) * targetStd;
        var candidateMae = session.Value.Loss(heldOutData, result.Parameters) * targetStd;
        if (!LearningPolicy.Accept(servingMae, candidateMae, options))
        {
            return new LearningRound(timeProvider.GetUtcNow(), train.Count, holdout.Count, servingMae, candidateMae, false,
                LearningPolicy.KeptReason(servingMae, candidateMae, holdout.Count, options));
        }

        var model = OnnxModelReader.Read(source.Path);
        TrainedParameters.ApplyTo(model, result.Parameters);
        var candidateBytes = OnnxModelWriter.ToBytes(model);
        var revision = RevisionOf(source) + 1;
        var path = Path.Combine(Root, learning.Model, $"v{source.Version}", $"r{revision}", "model.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllBytes(path, candidateBytes);
        var candidate = new InstalledModel(learning.Model, source.Version, path, Convert.ToHexStringLower(SHA256.HashData(candidateBytes)));
        var activated = false;
        try
        {
            activator.ActivateAsync(candidate, new Progress<ModelStepProgress>(), cancellationToken).GetAwaiter().GetResult();
            activated = true;
        }
        catch (ModelActivationException ex)
        {
            return new LearningRound(timeProvider.GetUtcNow(), train.Count, holdout.Count, servingMae, candidateMae, false, $"the tuned version did not activate: {ex.Message}");
        }
        finally
        {
            if (!activated)
            {
                // A revision that did not serve must not be on disk: the next start restores the newest revision it finds.
                DeleteRevision(Path.GetDirectoryName(path)!);
            }
        }

        LogAccepted(logger, learning.Model, source.Version, revision, servingMae, candidateMae);

        // Federated learning (when configured) makes the fleet's update of it; a refusal does not undo the revision.
        var handedOn = revisions?.Accept(new LocalRevision(learning.Model, source.Version, revision, path, session.Trainable, train.Count, timeProvider.GetUtcNow()));
        return new LearningRound(timeProvider.GetUtcNow(), train.Count, holdout.Count, servingMae, candidateMae, true,
            string.Create(CultureInfo.InvariantCulture, $"serving local revision {revision} of v{source.Version}: held-out MAE {candidateMae:0.###} against {servingMae:0.###}{(handedOn is null ? string.Empty : $"; no federated update: {handedOn}")}"));
    }

    private InstalledModel? RestoreRevision(string name, InstalledModel source, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(Root, name, $"v{source.Version}");
        if (RevisionOf(source) != 0 || !Directory.Exists(folder))
        {
            return null;
        }

        var newest = Directory.GetDirectories(folder, "r*")
            .Select(d => (Path: Path.Combine(d, "model.onnx"), Revision: int.TryParse(Path.GetFileName(d)[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0))
            .Where(r => r.Revision > 0 && File.Exists(r.Path))
            .OrderByDescending(r => r.Revision)
            .Select(r => r.Path)
            .FirstOrDefault();
        if (newest is null)
        {
            return null;
        }

        var bytes = File.ReadAllBytes(newest);
        var revision = new InstalledModel(name, source.Version, newest, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        try
        {
            activator.ActivateAsync(revision, new Progress<ModelStepProgress>(), cancellationToken).GetAwaiter().GetResult();
            LogRestored(logger, name, source.Version, RevisionOf(revision));
            return revision;
        }
        catch (ModelActivationException ex)
        {
            LogRestoreFailed(logger, name, source.Version, ex.Message);
            return null;
        }
    }

    private void DeleteRevision(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogRevisionNotDeleted(logger, folder, ex.Message);
        }
    }

    /// <summary>The local revision a file is (0 for a delivered or built-in file).</summary>
    public int RevisionOf(InstalledModel? source)
    {
        if (source is null)
        {
            return 0;
        }

        var folder = Path.GetFileName(Path.GetDirectoryName(source.Path)) ?? string.Empty;
        var inLearning = Path.GetFullPath(source.Path).StartsWith(Path.GetFullPath(Root) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        return inLearning && folder.StartsWith('r') && int.TryParse(folder[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
    }

    private static FeatureSpec? ReadSpec(string path)
    {
        try
        {
            var model = OnnxModelReader.Read(path);
            var json = model.Metadata.FirstOrDefault(m => m.Key == FeatureSpec.MetadataKey).Value;
            return json is null ? null : FeatureSpec.TryParse(json, out _);
        }
        catch (Exception ex) when (ex is OnnxFormatException or IOException)
        {
            return null;
        }
    }

    private void Report(ModelLearning learning, InstalledModel? source, long stored, string state, string? detail) =>
        board.Report(new LearningStatus(learning.Model, state, detail, source?.Version, RevisionOf(source), stored, Math.Round(_cpu.UsedInLastHour(timeProvider.GetUtcNow()).TotalSeconds, 1), learning.LastRound));

    private static string Code(LearningCode code) => code switch
    {
        LearningCode.CollectingExamples => "collecting-examples",
        LearningCode.CpuBudgetSpent => "cpu-budget-spent",
        LearningCode.NotServing => "not-serving",
        LearningCode.NotTrainable => "not-trainable",
        _ => "training",
    };

    // A tick runs on a thread of its own at nice 10, so the scheduler prefers serving threads. Not under SCHED_IDLE:
    // next to serving on two cores, a busy SCHED_IDLE thread raised the serving p99 to 1.55-1.89x the quiet one where
    // the same thread at nice 10 left it at 0.75-1.41x (the device-day benchmark's --control runs, docs/learning.md).
    private static Task RunOnLearningThreadAsync(Action work, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            ThreadCpuClock.Lower(KernelUpdaters.BackgroundNice);
            try
            {
                work();
                done.TrySetResult();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                done.TrySetCanceled(cancellationToken);
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "edge-learning",
        };
        thread.Start();
        return done.Task;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Labelled examples could not be written: {Reason}")]
    private static partial void LogStoreFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Learned on the device: {Model} v{Version} local revision {Revision} serves (held-out MAE {Candidate:0.###}, was {Serving:0.###})")]
    private static partial void LogAccepted(ILogger logger, string model, long version, int revision, double serving, double candidate);

    [LoggerMessage(Level = LogLevel.Information, Message = "Learning round of {Model} v{Version}: {Outcome}")]
    private static partial void LogRoundKept(ILogger logger, string model, long version, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Learning round of {Model} failed ({Kind}): {Reason}; serving what served before")]
    private static partial void LogRoundFailed(ILogger logger, string model, string kind, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A local revision that did not serve could not be deleted from {Folder}: {Reason}; the next start may serve it")]
    private static partial void LogRevisionNotDeleted(ILogger logger, string folder, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving {Model} v{Version} local revision {Revision} again, as before the restart")]
    private static partial void LogRestored(ILogger logger, string model, long version, int revision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The local revision of {Model} v{Version} could not serve again; serving the version as delivered: {Reason}")]
    private static partial void LogRestoreFailed(ILogger logger, string model, long version, string reason);

    private sealed class ModelLearning(string model) : IDisposable
    {
        public string Model { get; } = model;

        public bool Restored { get; set; }

        public long ExamplesAtLastRound { get; set; }

        public long Pauses { get; set; }

        public LearningRound? LastRound { get; set; }

        public ExampleWindow Examples { get; } = new();

        public void Dispose()
        {
            _session?.Value.Dispose();
            _session = null;
        }

        public FeatureSpec? Spec { get; private set; }

        private string? _specSource;
        private KeptSession? _session;

        // The serving file's feature spec, read once per file rather than once per tick.
        public FeatureSpec? SpecOf(InstalledModel source)
        {
            var key = $"{source.Path}|{source.Sha256}";
            if (key != _specSource)
            {
                Spec = ReadSpec(source.Path);
                _specSource = key;
            }

            return Spec;
        }

        // One training session per serving file: building the training graph and opening its session is done again only
        // when another version (or local revision) serves or the examples change shape.
        public KeptSession SessionFor(InstalledModel source, SupervisedData layout, Func<(Graph.Ir.Model Model, IReadOnlyList<string> Trainable)> open)
        {
            var key = $"{source.Path}|{source.Sha256}";
            if (_session is { } kept && kept.Key == key && kept.Value.Fits(layout))
            {
                return kept;
            }

            _session?.Value.Dispose();
            _session = null;
            var (model, trainable) = open();
            _session = new KeptSession(key, TrainingSession.Create(model, new TrainingRequest(trainable, LossKind.MeanAbsoluteError), layout), trainable);
            return _session;
        }
    }

    private sealed record KeptSession(string Key, TrainingSession Value, IReadOnlyList<string> Trainable);

    private sealed class CpuBudgetSpentException : Exception;
}
