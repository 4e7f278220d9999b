using System.Diagnostics;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Learning.Data;
using EdgeRuntime.Learning.Forecasting;
using EdgeRuntime.Learning.Training;
using EdgeRuntime.Sensors.Features;
using EdgeRuntime.Sensors.Samples;

namespace EdgeRuntime.Learning.Evaluation;

/// <summary>
/// The forecaster's evaluation protocol on a recording: a chronological split (training before, test from
/// <see cref="ForecastExperimentSetup.TestFrom"/> or the given fraction of the timeline); normalisation fitted on the
/// training part only; each candidate architecture trained with the newest 10% of the training part held out for early
/// stopping and for choosing between candidates (hyper-parameters are never chosen on the test part); the chosen model
/// scored on the test part beside the naive baselines.
/// </summary>
public static class ForecastExperiment
{
    /// <summary>Runs the protocol.</summary>
    /// <param name="samples">The recording, in time order.</param>
    /// <param name="setup">Spec, candidates, training settings and the split.</param>
    /// <param name="createUpdater">Creates the parameter updater for each run (ILGPU kernels).</param>
    /// <param name="progress">Receives a line per candidate.</param>
    /// <param name="training">Receives each run's training progress.</param>
    public static ForecastExperimentReport Run(IReadOnlyList<IntervalSample> samples, ForecastExperimentSetup setup, Func<IReadOnlyList<float[]>, TrainingOptions, IParameterUpdater> createUpdater, IProgress<string>? progress = null, IProgress<TrainingProgress>? training = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(setup);
        if (samples.Count == 0)
        {
            throw new ArgumentException("the recording has no intervals", nameof(samples));
        }

        var times = samples.Select(s => s.Time).Distinct().Order().ToList();
        var split = setup.TestFrom ?? times[Math.Clamp((int)Math.Round(setup.TrainFraction * times.Count), 1, times.Count - 1)];
        var (mean, std) = FeatureStatistics.Fit(setup.Spec.Metrics, samples.Where(s => s.Time < split));
        var spec = FeatureSpecJsonCopy(setup.Spec);
        spec.Mean = mean;
        spec.Std = std;

        var all = ForecastDataset.Build(spec, samples);
        var train = all.Slice(all.Span.First, split);
        var test = all.Slice(split, DateTimeOffset.MaxValue);
        if (train.Count < 10 || test.Count == 0)
        {
            throw new ArgumentException($"the split at {split:u} leaves {train.Count} training and {test.Count} test examples");
        }

        var candidates = new List<ForecastCandidate>();
        foreach (var architecture in setup.Candidates)
        {
            var watch = Stopwatch.StartNew();
            var model = TrafficForecasterBuilder.Build(spec, architecture);
            var request = new TrainingRequest(TrafficForecasterBuilder.AllParameters, setup.Loss);
            var result = new Trainer(createUpdater).Train(model, request, new ForecastTrainingData(train), setup.Training, training);
            TrainedParameters.ApplyTo(model, result.Parameters);
            var best = result.ValidationLoss.Count > 0 ? result.ValidationLoss.Min() : double.NaN;
            candidates.Add(new ForecastCandidate(architecture, best, result.EpochsRun, result.BestEpoch, watch.Elapsed, OnnxModelWriter.ToBytes(model)));
            progress?.Report($"hidden {architecture.Hidden}: validation loss {best:0.0000} after {result.EpochsRun} epoch(s) (best {result.BestEpoch + 1}), {watch.Elapsed.TotalSeconds:0.0} s, updates on {result.UpdateDevice}");
        }

        var chosen = candidates.MinBy(c => c.ValidationLoss)!;
        using var forecaster = new OnnxForecaster(chosen.Model, "trained forecaster");
        var scores = new List<ForecastScores>
        {
            ForecastScores.Of(forecaster, test),
            ForecastScores.Of(new LastValueForecaster(), test),
        };
        scores.AddRange((setup.Baselines ?? []).Select(b => ForecastScores.Of(new SeasonalMeanForecaster(train, b.Period, b.Bins), test)));
        return new ForecastExperimentReport(split, train.Count, test.Count, candidates, chosen, scores);
    }

    private static FeatureSpec FeatureSpecJsonCopy(FeatureSpec spec) =>
        FeatureSpec.TryParse(spec.ToJson(), out var error) ?? throw new ArgumentException($"feature spec: {error}");
}

/// <summary>What <see cref="ForecastExperiment"/> runs.</summary>
/// <param name="Spec">Metrics, window, target, horizons, profile (its means and deviations are fitted on the training part).</param>
/// <param name="Candidates">Architectures to choose from on the validation slice.</param>
/// <param name="Training">Training settings (its validation fraction is the slice that chooses).</param>
/// <param name="TrainFraction">Share of the timeline before the test part, when <paramref name="TestFrom"/> is null.</param>
/// <param name="TestFrom">Where the test part starts.</param>
/// <param name="Baselines">Seasonal-mean baselines to score beside the naive one (none by default).</param>
/// <param name="Loss">Training loss.</param>
public sealed record ForecastExperimentSetup(
    FeatureSpec Spec,
    IReadOnlyList<ForecasterArchitecture> Candidates,
    TrainingOptions Training,
    double TrainFraction = 0.8,
    DateTimeOffset? TestFrom = null,
    IReadOnlyList<SeasonalBaseline>? Baselines = null,
    Graph.Autodiff.LossKind Loss = Graph.Autodiff.LossKind.MeanAbsoluteError);

/// <summary>A seasonal-mean baseline to score: per-stream means by <paramref name="Bins"/> bins of the <paramref name="Period"/>.</summary>
public readonly record struct SeasonalBaseline(SeasonalPeriod Period, int Bins);

/// <summary>One trained candidate.</summary>
public sealed record ForecastCandidate(ForecasterArchitecture Architecture, double ValidationLoss, int Epochs, int BestEpoch, TimeSpan Elapsed, byte[] Model);

/// <summary>The outcome: the split, the candidates, the chosen one and every forecaster's test scores (the model first).</summary>
public sealed record ForecastExperimentReport(DateTimeOffset TestFrom, int TrainingExamples, int TestExamples, IReadOnlyList<ForecastCandidate> Candidates, ForecastCandidate Chosen, IReadOnlyList<ForecastScores> Scores)
{
    /// <summary>The trained model's test MAE relative to repeating the last value, per horizon.</summary>
    public IReadOnlyList<double> RatioToLastValue => Scores[0].RelativeTo(Scores[1]);
}
