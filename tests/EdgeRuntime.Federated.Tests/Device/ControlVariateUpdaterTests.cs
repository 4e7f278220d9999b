using EdgeRuntime.Federated.Device;
using EdgeRuntime.Federated.Simulation;
using EdgeRuntime.Federated.Updates;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Learning.Data;
using EdgeRuntime.Learning.Training;
using EdgeRuntime.Sensors.Samples;

namespace EdgeRuntime.Federated.Tests.Device;

public sealed class ControlVariateUpdaterTests
{
    private static readonly TrainingOptions Sgd = new() { Optimizer = OptimizerKind.SgdMomentum, Momentum = 0, WeightDecay = 0, LearningRate = 0.1 };

    [Fact]
    public void Step_MovesByTheCorrectedGradient_MeanRawGradientExcludesTheCorrection()
    {
        float[][] parameters = [[1, 2, 3]];
        using var updater = new ControlVariateUpdater(KernelUpdaters.Create(parameters, Sgd), parameters, [[1, -1, 0]]);

        updater.SetGradient(0, [0.5f, 0.5f, 0.5f]);
        updater.Step(0.1);
        updater.SetGradient(0, [1.5f, -0.5f, 0.5f]);
        updater.Step(0.1);
        var after = new float[3];
        updater.CopyParameter(0, after);

        // p − 0.1·(g₁ + k) − 0.1·(g₂ + k), k = (1, −1, 0).
        Assert.Equal(1 - 0.15f - 0.25f, after[0], 5);
        Assert.Equal(2 + 0.05f + 0.15f, after[1], 5);
        Assert.Equal(3 - 0.05f - 0.05f, after[2], 5);
        Assert.Equal([1f, 0f, 0.5f], updater.MeanRawGradient()[0]);
        Assert.Equal(2, updater.Steps);
    }

    [Fact]
    public void Create_CorrectionOfAnotherShape_RefusedWithOneLine()
    {
        float[][] parameters = [[1, 2, 3]];
        using var inner = KernelUpdaters.Create(parameters, Sgd);

        var error = Assert.Throws<ArgumentException>(() => new ControlVariateUpdater(inner, parameters, [[1, 2]]));

        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Train_FirstRoundWithZeroControls_SameWeightsAsWithoutThem_ThenTheFleetsControlSteersTheRound()
    {
        var model = OnnxModelReader.Read(TinyForecaster.Bytes(), "tiny.onnx", null);
        var plain = TinyForecaster.Global();
        var scaffold = EdgeRuntime.Federated.Aggregation.GlobalModel.FromBytes(TinyForecaster.Bytes(), controlVariates: true);
        var weights = ControlVariates.ModelLength(scaffold.Layout);
        var data = Examples();
        var options = new TrainingOptions { Epochs = 1, BatchSize = 8, ValidationFraction = 0, Schedule = LearningRateSchedule.Constant, WeightDecay = 0 };
        using var withoutControls = new LocalTraining(model, plain.Layout, options);
        using var withControls = new LocalTraining(model, scaffold.Layout, options);

        var reference = withoutControls.Train(plain.InitialParameters, data, seed: 3, cancellationToken: TestContext.Current.CancellationToken);
        var first = withControls.Train(scaffold.InitialParameters, data, seed: 3, cancellationToken: TestContext.Current.CancellationToken);

        // c = 0 and no cᵢ yet: the correction is exactly 0, so the weights match bit for bit; the control half carries cᵢ⁺ − 0.
        Assert.Null(reference.ControlVariate);
        Assert.Equal(reference.Parameters, first.Parameters[..weights]);
        Assert.NotNull(first.ControlVariate);
        Assert.Equal(first.ControlVariate, first.Parameters[weights..]);
        Assert.Contains(first.ControlVariate, g => g != 0);

        // A fleet control variate far from this device's own changes where its round goes.
        var start = scaffold.InitialParameters.ToArray();
        for (var i = 0; i < weights; i++)
        {
            start[weights + i] = first.ControlVariate[i] + 0.5f;
        }

        var steered = withControls.Train(start, data, seed: 3, controlVariate: first.ControlVariate, cancellationToken: TestContext.Current.CancellationToken);
        Assert.NotEqual(reference.Parameters, steered.Parameters[..weights]);

        // Its control half is the device's new cᵢ, the level the update carries (not the fleet's c).
        Assert.NotNull(steered.ControlVariate);
        Assert.Equal(steered.ControlVariate, steered.Parameters[weights..]);
        Assert.NotEqual(first.ControlVariate, steered.ControlVariate);
    }

    // Two days of a speed series with a daily dip, 5-minute intervals.
    private static ForecastDataset Examples()
    {
        var start = new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
        var samples = Enumerable.Range(0, 2 * 288).Select(i => new IntervalSample("s1", start.AddMinutes(5 * i), TimeSpan.FromMinutes(5), new Dictionary<string, double> { ["speed"] = 60 - (15 * Math.Max(0, Math.Sin(2 * Math.PI * i / 288))) + (i % 7) }, 0));
        return ForecastDataset.Build(TinyForecaster.Spec, samples);
    }
}
