using EdgeRuntime.Graph.Autodiff;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Learning.Data;
using EdgeRuntime.Learning.Evaluation;
using EdgeRuntime.Learning.Simulation;
using EdgeRuntime.Learning.Training;
using EdgeRuntime.Sensors.Features;
using EdgeRuntime.Sensors.Traffic;

namespace EdgeRuntime.Learning.Tests.OnDevice;

/// <summary>
/// The learner scores the serving and the tuned version on held-out examples through its training session's loss
/// (times the target's deviation) instead of a forecaster session per version; both must give the same MAE.
/// </summary>
public sealed class HeldOutScoreTests
{
    [Fact]
    public void TrainingSessionLoss_TimesTargetDeviation_IsTheForecastersMae()
    {
        var bytes = File.ReadAllBytes(Path.Combine(TestEnvironment.RepositoryRoot, "configs", "models", "traffic-forecast.onnx"));
        var model = OnnxModelReader.Read(bytes, "traffic-forecast.onnx", null);
        var spec = FeatureSpec.TryParse(model.Metadata.First(m => m.Key == FeatureSpec.MetadataKey).Value, out _)!;
        var scenario = new TrafficScenario { Seed = 7, SignalCycleSeconds = 90, IncidentsPerLanePerDay = 4 };
        var examples = ForecastDataset.Build(spec, IntervalSeries.Simulate(SimulatedLanes.Intersection(), scenario, new DateTimeOffset(2026, 3, 2, 7, 0, 0, TimeSpan.Zero), TimeSpan.FromHours(1)));
        var data = new ForecastTrainingData(examples);

        using var forecaster = new OnnxForecaster(bytes, "shipped");
        var scores = ForecastScores.Of(forecaster, examples);
        var expected = scores.Mae.Select((mae, h) => mae * scores.Counts[h]).Sum() / scores.Counts.Sum();
        using var session = TrainingSession.Create(model, new TrainingRequest(TrainableSelection.DefaultHead(model), LossKind.MeanAbsoluteError), data);
        var measured = session.Loss(data) * spec.Std[spec.TargetColumn];

        // Weights in the store are 0 or 1 (a horizon seen or not), so Σ w·|e| / Σ w is the MAE over the seen horizons;
        // float32 sums over about 10⁴ terms in each path differ in the fifth digit at most.
        Assert.True(examples.Count > 500 && scores.Counts.Sum() > 1000, $"{examples.Count} examples");
        Assert.Equal(expected, measured, expected * 1e-4);
    }
}
