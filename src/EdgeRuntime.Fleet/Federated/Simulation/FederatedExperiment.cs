using System.Globalization;
using EdgeRuntime.Federated.Simulation;
using EdgeRuntime.Graph.Autodiff;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Learning.Data;
using EdgeRuntime.Learning.Evaluation;
using EdgeRuntime.Learning.Forecasting;
using EdgeRuntime.Learning.Training;
using EdgeRuntime.Sensors.Features;
using EdgeRuntime.Sensors.Samples;

namespace EdgeRuntime.Fleet.Federated.Simulation;

/// <summary>
/// The data side of a federated experiment, with the forecaster's evaluation protocol (docs/learning.md): one device
/// per stream; a chronological split — the last <see cref="TestFraction"/> of the timeline is the test part, the newest
/// <see cref="ValidationFraction"/> before it is every device's held-out slice, the rest (or only its last
/// <c>keep</c>) is what a device trains on; normalisation fitted on the training part. Also the two reference
/// points: the same model trained centrally on every device's data pooled, and each device's model trained on its own
/// data only.
/// </summary>
internal sealed class FederatedExperiment
{
    private FederatedExperiment(FeatureSpec spec, ForecastDataset all, DateTimeOffset testFrom, IReadOnlyList<DeviceData> devices, int hidden)
    {
        Spec = spec;
        All = all;
        TestFrom = testFrom;
        Devices = devices;
        var streams = Enumerable.Range(0, devices.Count).ToHashSet();
        Validation = devices.Count == 0 ? all : all.Slice(devices[0].Validation.Span.First, testFrom).OfStreams(streams);
        Test = all.Slice(testFrom, DateTimeOffset.MaxValue).OfStreams(streams);
        Template = TrafficForecasterBuilder.BuildBytes(spec, new ForecasterArchitecture(hidden));
    }

    /// <summary>Share of the timeline that is the test part.</summary>
    public const double TestFraction = 0.2;

    /// <summary>Share of the time before the test part held out on every device.</summary>
    public const double ValidationFraction = 0.1;

    public FeatureSpec Spec { get; }

    public ForecastDataset All { get; }

    public DateTimeOffset TestFrom { get; }

    public IReadOnlyList<DeviceData> Devices { get; }

    public ForecastDataset Validation { get; }

    public ForecastDataset Test { get; }

    /// <summary>The untrained forecaster (it repeats the last value): version 1.</summary>
    public byte[] Template { get; }

    /// <summary>Prepares the devices of <paramref name="samples"/>.</summary>
    /// <param name="samples">The recording, in time order.</param>
    /// <param name="spec">Window, horizons, profile (its normalisation is fitted here).</param>
    /// <param name="devices">How many streams become devices (the first ones).</param>
    /// <param name="keep">Each device holds only this much of its most recent training data (null: all).</param>
    /// <param name="hidden">The forecaster's hidden width.</param>
    public static FederatedExperiment Prepare(IReadOnlyList<IntervalSample> samples, FeatureSpec spec, int devices, TimeSpan? keep, int hidden)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(spec);
        var times = samples.Select(s => s.Time).Distinct().Order().ToList();
        var testFrom = times[Math.Clamp((int)Math.Round((1 - TestFraction) * times.Count), 1, times.Count - 1)];
        var (mean, std) = FeatureStatistics.Fit(spec.Metrics, samples.Where(s => s.Time < testFrom));
        var fitted = FeatureSpec.TryParse(spec.ToJson(), out var problem) ?? throw new ArgumentException($"feature spec: {problem}");
        fitted.Mean = mean;
        fitted.Std = std;
        var all = ForecastDataset.Build(fitted, samples);
        return new FederatedExperiment(fitted, all, testFrom, DeviceData.ByStream(all, testFrom, ValidationFraction, keep, devices), hidden);
    }

    /// <summary>
    /// The reference: the same model trained centrally on every device's training data pooled, early-stopped on the
    /// pooled held-out slices, scored on the pooled test part (<paramref name="validation"/>: on the pooled held-out
    /// slices, the scale the simulation's per-version validation MAE uses).
    /// </summary>
    public ForecastScores Central(TrainingOptions options, out ForecastScores validation, CancellationToken cancellationToken)
    {
        var pooled = Pool(out var validationShare);
        var model = OnnxModelReader.Read(Template, "template.onnx", null);
        var result = new Trainer(KernelUpdaters.Create).Train(model, new TrainingRequest(TrafficForecasterBuilder.AllParameters, LossKind.MeanAbsoluteError), new ForecastTrainingData(pooled), options with { ValidationFraction = validationShare }, cancellationToken: cancellationToken);
        TrainedParameters.ApplyTo(model, result.Parameters);
        using var forecaster = new OnnxForecaster(OnnxModelWriter.ToBytes(model), "central (pooled data)");
        validation = ForecastScores.Of(forecaster, Validation);
        return ForecastScores.Of(forecaster, Test);
    }

    /// <summary>
    /// Every device on its own: the model trained on that device's training data, early-stopped on its own held-out
    /// slice (so it never ends worse than repeating the last value on it by much), scored on its own test part; the
    /// errors pooled over devices. With <paramref name="keep"/>, each device trains on only its newest
    /// <paramref name="keep"/> before the held-out slice (a device that holds only its last half day), whatever the
    /// devices of the simulation hold; the test part is the same.
    /// </summary>
    public ForecastScores LocalOnly(TrainingOptions options, CancellationToken cancellationToken, TimeSpan? keep = null)
    {
        var horizons = Spec.Horizons.Count;
        var sums = new double[horizons];
        var counts = new long[horizons];
        var devices = keep is null ? Devices : DeviceData.ByStream(All, TestFrom, ValidationFraction, keep, Devices.Count);
        foreach (var device in devices)
        {
            var model = OnnxModelReader.Read(Template, "template.onnx", null);
            var data = Concat(device.Train, device.Validation);
            if (data.Count >= 4)
            {
                var share = (double)device.Validation.Count / data.Count;
                var result = new Trainer(KernelUpdaters.Create).Train(model, new TrainingRequest(TrafficForecasterBuilder.AllParameters, LossKind.MeanAbsoluteError), new ForecastTrainingData(data), options with { ValidationFraction = Math.Clamp(share, 0.05, 0.5) }, cancellationToken: cancellationToken);
                TrainedParameters.ApplyTo(model, result.Parameters);
            }

            using var forecaster = new OnnxForecaster(OnnxModelWriter.ToBytes(model), device.Name);
            var scores = ForecastScores.Of(forecaster, device.Test);
            for (var h = 0; h < horizons; h++)
            {
                if (scores.Counts[h] > 0)
                {
                    sums[h] += scores.Mae[h] * scores.Counts[h];
                    counts[h] += scores.Counts[h];
                }
            }
        }

        return new ForecastScores(keep is null ? "local only" : string.Create(CultureInfo.InvariantCulture, $"local only (newest {keep.Value.TotalHours:0.##}h each)"), Spec.Horizons, [.. sums.Select((s, h) => counts[h] > 0 ? s / counts[h] : double.NaN)], counts);
    }

    /// <summary>Repeating the last value on the pooled test part.</summary>
    public ForecastScores LastValue() => ForecastScores.Of(new LastValueForecaster(), Test);

    // Every device's training examples followed by every device's held-out ones, in time order within each part.
    private ForecastDataset Pool(out double validationShare)
    {
        var streams = Enumerable.Range(0, Devices.Count).ToHashSet();
        var first = Devices.Where(d => d.Train.Count > 0).Select(d => d.Train.Span.First).DefaultIfEmpty(All.Span.First).Min();
        var validationFrom = Devices[0].Validation.Span.First;
        var trainPart = All.Slice(first, validationFrom).OfStreams(streams);
        var validationPart = All.Slice(validationFrom, TestFrom).OfStreams(streams);
        validationShare = Math.Clamp((double)validationPart.Count / (trainPart.Count + validationPart.Count), 0.01, 0.5);
        return All.Slice(first, TestFrom).OfStreams(streams);
    }

    private ForecastDataset Concat(ForecastDataset train, ForecastDataset validation)
    {
        var from = train.Count > 0 ? train.Span.First : validation.Span.First;
        var stream = validation.Count > 0 ? validation.Stream(0) : train.Stream(0);
        return All.Slice(from, TestFrom).OfStream(stream);
    }
}
