using EdgeRuntime.Graph.Autodiff;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Learning.Training;

namespace EdgeRuntime.Learning.Tests.Training;

public sealed class TrainerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-trainer-").FullName;

    [Fact]
    public void LinearModel_MseOnExactData_RecoversTheWeights_AndCheckpointsTheBest()
    {
        // y = x · [2, −1, 0.5] + 3, no noise: training from zeros must find the weights.
        var data = Regression(n: 2000, seed: 3, w: [2f, -1f, 0.5f], b: 3f);
        var checkpoint = Path.Combine(_folder, "best.ckpt");
        var options = new TrainingOptions { Epochs = 30, BatchSize = 64, LearningRate = 0.05, WeightDecay = 0, Patience = 30, CheckpointPath = checkpoint, ClipNorm = 0 };

        var result = new Trainer(KernelUpdaters.Create).Train(LinearModel(), new TrainingRequest(["w", "b"], LossKind.MeanSquaredError), data, options, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal([2f, -1f, 0.5f], result.Parameters["w"].Select(v => MathF.Round(v, 2)));
        Assert.Equal(3f, MathF.Round(result.Parameters["b"][0], 2));
        Assert.True(result.ValidationLoss.Min() < 1e-4, $"validation loss {result.ValidationLoss.Min()}");
        var saved = TrainingCheckpoint.Read(checkpoint);
        Assert.Equal(result.BestEpoch, saved.Epoch);
        Assert.Equal(result.Parameters["w"], saved.Parameters["w"]);
    }

    [Fact]
    public void ValidationStopsImproving_EarlyStop_KeepsTheBestEpochsParameters()
    {
        // Labels are noise: nothing generalises, so validation loss stops improving within a few epochs.
        var data = Regression(n: 600, seed: 5, w: [0f, 0f, 0f], b: 0f, noise: 1f);
        var options = new TrainingOptions { Epochs = 50, BatchSize = 16, LearningRate = 0.05, Patience = 2, Schedule = LearningRateSchedule.Constant };
        var progress = new List<TrainingProgress>();

        var result = new Trainer(KernelUpdaters.Create).Train(LinearModel(), new TrainingRequest(["w", "b"], LossKind.MeanAbsoluteError), data, options, new SyncProgress(progress.Add), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(TrainingStop.EarlyStopped, result.Stop);
        Assert.True(result.EpochsRun < 50);
        Assert.Equal(result.EpochsRun - 1 - 2, result.BestEpoch);
        Assert.Equal(result.ValidationLoss.Min(), result.ValidationLoss[result.BestEpoch]);
        Assert.Contains(progress, p => p.ValidationLoss is not null);
    }

    [Fact]
    public void WeightedTargets_ZeroWeightElements_DoNotMoveTheParameters()
    {
        // The second output's labels are absurd but weighted 0: its bias must stay where the first output's data put it.
        var data = Regression(n: 400, seed: 7, w: [1f, 0f, 0f], b: 0f, secondTarget: 1000f, secondWeight: 0f);
        var options = new TrainingOptions { Epochs = 5, BatchSize = 32, LearningRate = 0.01, ValidationFraction = 0, WeightDecay = 0 };

        var result = new Trainer(KernelUpdaters.Create).Train(LinearModel(outputs: 2), new TrainingRequest(["w", "b"], LossKind.MeanSquaredError), data, options, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(Math.Abs(result.Parameters["b"][1]) < 0.5, $"bias of the masked output moved to {result.Parameters["b"][1]}");
    }

    [Fact]
    public void Session_KeptBetweenRuns_GivesWhatFreshRunsGive()
    {
        // 1,000 and 530 examples in batches of 64: both runs end on a shorter batch, bound while it runs.
        var first = Regression(n: 1000, seed: 11, w: [1f, -2f, 0.5f], b: 1f, noise: 0.1f);
        var second = Regression(n: 530, seed: 12, w: [-1f, 0f, 2f], b: -1f, noise: 0.1f);
        var options = new TrainingOptions { Epochs = 3, BatchSize = 64, LearningRate = 0.05 };
        var request = new TrainingRequest(["w", "b"], LossKind.MeanAbsoluteError);
        var token = TestContext.Current.CancellationToken;

        using var session = TrainingSession.Create(LinearModel(), request, first);
        var kept = new[] { session.Train(first, options, KernelUpdaters.Create, cancellationToken: token), session.Train(second, options, KernelUpdaters.Create, cancellationToken: token) };
        var fresh = new[] { first, second }.Select(data => new Trainer(KernelUpdaters.Create).Train(LinearModel(), request, data, options, cancellationToken: token)).ToArray();

        for (var run = 0; run < 2; run++)
        {
            Assert.Equal(fresh[run].Parameters["w"], kept[run].Parameters["w"]);
            Assert.Equal(fresh[run].Parameters["b"], kept[run].Parameters["b"]);
            Assert.Equal(fresh[run].ValidationLoss, kept[run].ValidationLoss);
        }

        // The two data sets want different weights: the second run started again from the model's values.
        Assert.True(kept[1].Parameters["w"][1] > -1f, $"w[1] = {kept[1].Parameters["w"][1]} after the second run");
    }

    [Fact]
    public void Session_Loss_IsTheWeightedMeanErrorOverEveryExample()
    {
        // The second output is weighted 0 for every example, so it must not count; 203 examples in batches of 64.
        var data = Regression(n: 203, seed: 13, w: [0.5f, 1f, -1f], b: 0.25f, noise: 0.5f, secondTarget: 7f, secondWeight: 0f);
        // w is [3, 2], row-major: the first output reads w[k, 0] = w[2k].
        var parameters = new Dictionary<string, float[]> { ["w"] = [0.4f, 0f, 0.9f, 0f, -1.2f, 0f], ["b"] = [0.3f, 0f] };
        var expected = 0.0;
        for (var i = 0; i < data.Count; i++)
        {
            var x = data.Input(i);
            var y = (x[0] * 0.4f) + (x[1] * 0.9f) + (x[2] * -1.2f) + 0.3f;
            expected += Math.Abs(y - data.Target(i)[0]);
        }

        expected /= data.Count;
        using var session = TrainingSession.Create(LinearModel(outputs: 2), new TrainingRequest(["w", "b"], LossKind.MeanAbsoluteError), data);

        Assert.Equal(expected, session.Loss(data, parameters, batchSize: 64), 5);
        Assert.Equal(TargetMeanAbs(data), session.Loss(data, batchSize: 64), 5);
        var wrong = Assert.Throws<ArgumentException>(() => session.Loss(data, new Dictionary<string, float[]> { ["w"] = [1f], ["b"] = [0f, 0f] }));
        Assert.StartsWith("'w' has 1 values", wrong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Session_TwoRunsFromTheSameStart_SameParametersAsARunThatBuildsItsOwn()
    {
        var data = Regression(n: 300, seed: 11, w: [2f, -1f, 0.5f], b: 3f);
        var options = new TrainingOptions { Epochs = 2, BatchSize = 32, LearningRate = 0.05, ValidationFraction = 0 };
        var request = new TrainingRequest(["w", "b"], LossKind.MeanSquaredError);
        var start = new Dictionary<string, float[]> { ["w"] = [0f, 0f, 0f], ["b"] = [0f] };
        var trainer = new Trainer(KernelUpdaters.Create);

        var own = trainer.Train(LinearModel(), request, data, options, cancellationToken: TestContext.Current.CancellationToken);
        using var session = TrainingSession.Create(LinearModel(), request, data);
        var first = trainer.Train(session, start, data, options, cancellationToken: TestContext.Current.CancellationToken);
        var second = trainer.Train(session, start, data, options, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(own.Parameters["w"], first.Parameters["w"]);
        Assert.Equal(first.Parameters["w"], second.Parameters["w"]);
        Assert.Equal(first.Parameters["b"], second.Parameters["b"]);
    }

    [Fact]
    public void Session_ContinuingTheOptimizerState_StepsAddUpAndTheRunDiffersFromAFreshOne()
    {
        var data = Regression(n: 300, seed: 13, w: [1f, 1f, 1f], b: 0f, noise: 0.5f);
        var options = new TrainingOptions { Epochs = 1, BatchSize = 32, LearningRate = 0.01, ValidationFraction = 0 };
        using var session = TrainingSession.Create(LinearModel(), new TrainingRequest(["w", "b"], LossKind.MeanAbsoluteError), data);
        var start = new Dictionary<string, float[]> { ["w"] = [0f, 0f, 0f], ["b"] = [0f] };
        var trainer = new Trainer(KernelUpdaters.Create);

        var round1 = trainer.Train(session, start, data, options, cancellationToken: TestContext.Current.CancellationToken);
        var fresh = trainer.Train(session, round1.Parameters, data, options, cancellationToken: TestContext.Current.CancellationToken);
        var continued = trainer.Train(session, round1.Parameters, data, options, round1.OptimizerState, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(round1.Steps, round1.OptimizerState!.Steps);
        Assert.Equal(2 * round1.Steps, continued.OptimizerState!.Steps);
        Assert.NotEqual(fresh.Parameters["w"], continued.Parameters["w"]);
        Assert.Throws<ArgumentException>(() => trainer.Train(session, new Dictionary<string, float[]> { ["w"] = [0f, 0f, 0f] }, data, options, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Checkpoint_Damaged_IsRefusedWithOneLine()
    {
        var path = Path.Combine(_folder, "ckpt");
        new TrainingCheckpoint(2, 0.5, new Dictionary<string, float[]> { ["w"] = [1f, 2f] }).Write(path);
        var bytes = File.ReadAllBytes(path);
        bytes[20] ^= 0x40;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Read(path));
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LearningRates_WarmupThenCosineToZero()
    {
        var options = new TrainingOptions { LearningRate = 1, WarmupSteps = 10, Schedule = LearningRateSchedule.Cosine };
        Assert.Equal(0.1, LearningRates.At(options, 0, 110), 9);
        Assert.Equal(1.0, LearningRates.At(options, 10, 110), 9);
        Assert.Equal(0.5, LearningRates.At(options, 60, 110), 9);
        Assert.Equal(0.0, LearningRates.At(options, 110, 110), 9);
        Assert.Equal(0.01, LearningRates.At(options with { WarmupSteps = 0, Schedule = LearningRateSchedule.Step }, 99, 100), 9);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // The model's own parameters are zeros: it forecasts 0, so its error is the mean |target| of the weighted output.
    private static double TargetMeanAbs(ArrayData data) => Enumerable.Range(0, data.Count).Average(i => Math.Abs(data.Target(i)[0]));

    // y = x · w + b, x [batch, 3], w [3, outputs], b [outputs].
    private static Model LinearModel(int outputs = 1)
    {
        var graph = new Graph.Ir.Graph("linear");
        var model = new Model(graph);
        model.OpsetImports.Add(new OpsetImport(string.Empty, 17));
        var x = graph.AddInput("x", new TensorType(DataType.Float, new TensorShape([Dim.Symbolic("batch"), Dim.Known(3)])));
        var w = graph.AddInitializer("w", Tensor.From<float>(new float[3 * outputs], [3, outputs]));
        var b = graph.AddInitializer("b", Tensor.From<float>(new float[outputs], [outputs]));
        var product = graph.AddNode("MatMul", [x, w], "product").Output;
        graph.AddOutput(graph.AddNode("Add", [product, b], ["y"]).Outputs[0]!);
        return model;
    }

    private static ArrayData Regression(int n, int seed, float[] w, float b, float noise = 0, float? secondTarget = null, float secondWeight = 1)
    {
        var random = new Random(seed);
        var outputs = secondTarget is null ? 1 : 2;
        var inputs = new float[n * 3];
        var targets = new float[n * outputs];
        var weights = new float[n * outputs];
        for (var i = 0; i < n; i++)
        {
            float y = b;
            for (var k = 0; k < 3; k++)
            {
                inputs[(i * 3) + k] = (float)((random.NextDouble() * 2) - 1);
                y += inputs[(i * 3) + k] * w[k];
            }

            targets[i * outputs] = y + (noise * (float)((random.NextDouble() * 2) - 1));
            weights[i * outputs] = 1;
            if (secondTarget is { } second)
            {
                targets[(i * outputs) + 1] = second;
                weights[(i * outputs) + 1] = secondWeight;
            }
        }

        return new ArrayData(inputs, targets, weights, outputs);
    }

    private sealed class ArrayData(float[] inputs, float[] targets, float[] weights, int outputs) : SupervisedData
    {
        public override int Count => inputs.Length / 3;

        public override string InputName => "x";

        public override IReadOnlyList<long> InputShape => [3];

        public override IReadOnlyList<long> TargetShape => [outputs];

        public override ReadOnlySpan<float> Input(int index) => inputs.AsSpan(index * 3, 3);

        public override ReadOnlySpan<float> Target(int index) => targets.AsSpan(index * outputs, outputs);

        public override ReadOnlySpan<float> Weight(int index) => weights.AsSpan(index * outputs, outputs);
    }

    private sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
