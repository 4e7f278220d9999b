using System.Diagnostics;
using EdgeRuntime.Graph.Autodiff;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Kernels.Training;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Learning.Training;

/// <summary>
/// Trains chosen parameters of a model on ONNX Runtime: the training graph (<see cref="TrainingGraphBuilder"/>: the
/// model's forward pass, the loss, and the gradient of every trainable parameter, all ONNX) runs in one session per run;
/// each step feeds a mini-batch and the current parameters, reads the loss and the gradients, clips them to a global
/// norm and hands them to an <see cref="IParameterUpdater"/> (ILGPU kernels), whose new parameters the next step feeds.
/// The newest <see cref="TrainingOptions.ValidationFraction"/> of the examples is held out for early stopping; the best
/// parameters on it are kept and checkpointed. Runs on the calling thread (one intra-op thread by default), so the caller
/// decides its priority; <c>beforeStep</c> lets an on-device scheduler pause it while inference is busy.
/// </summary>
public sealed class Trainer(Func<IReadOnlyList<float[]>, TrainingOptions, IParameterUpdater> createUpdater)
{
    internal const string TargetInput = "target";
    internal const string WeightInput = "target_weight";

    /// <summary>Trains <paramref name="model"/> (not changed; see <see cref="TrainedParameters.ApplyTo"/>).</summary>
    /// <exception cref="ArgumentException">The request, options or data do not fit the model (one line says why).</exception>
    /// <exception cref="TrainingGraphException">A gradient must flow through an operator without a rule.</exception>
    public TrainingResult Train(Model model, TrainingRequest request, SupervisedData data, TrainingOptions options, IProgress<TrainingProgress>? progress = null, Action<CancellationToken>? beforeStep = null, CancellationToken cancellationToken = default) =>
        Run(model, request, data, options, continueFrom: null, exportState: false, progress, beforeStep, cancellationToken);

    /// <summary>
    /// Trains <paramref name="model"/> with the optimiser continuing from <paramref name="continueFrom"/> (an earlier
    /// run's <see cref="TrainingResult.OptimizerState"/> over the same trainable parameters; null starts fresh), and
    /// returns the optimiser's final state with the result. Federated rounds use it so a device's Adam keeps its moment
    /// estimates from round to round instead of taking sign-like first steps each time (Kingma &amp; Ba 2015, §2: with
    /// fresh moments the first step moves every parameter by the full learning rate whatever its gradient's size).
    /// </summary>
    /// <exception cref="ArgumentException">The request, options, data or optimiser state do not fit the model (one line says why).</exception>
    /// <exception cref="TrainingGraphException">A gradient must flow through an operator without a rule.</exception>
    public TrainingResult Train(Model model, TrainingRequest request, SupervisedData data, TrainingOptions options, OptimizerState? continueFrom, IProgress<TrainingProgress>? progress = null, Action<CancellationToken>? beforeStep = null, CancellationToken cancellationToken = default) =>
        Run(model, request, data, options, continueFrom, exportState: true, progress, beforeStep, cancellationToken);

    /// <summary>
    /// Trains in an open <paramref name="session"/> from <paramref name="start"/> (every trainable parameter's values by
    /// name), the optimiser continuing from <paramref name="continueFrom"/> when given (null starts fresh); the result
    /// carries the optimiser's final state. The session stays open for the next run.
    /// </summary>
    /// <exception cref="ArgumentException">The options, data, start values or optimiser state do not fit (one line says why).</exception>
    public TrainingResult Train(TrainingSession session, IReadOnlyDictionary<string, float[]> start, SupervisedData data, TrainingOptions options, OptimizerState? continueFrom = null, IProgress<TrainingProgress>? progress = null, Action<CancellationToken>? beforeStep = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(data);
        Check(data, options);
        if (data.ClassTargets != session.ClassTargets)
        {
            throw new ArgumentException($"the session was opened for {(session.ClassTargets ? "class" : "value")} targets; the data has {(data.ClassTargets ? "class" : "value")} targets", nameof(data));
        }

        var parameters = session.Parameters.Select(name => start.TryGetValue(name, out var values) ? (float[])values.Clone() : throw new ArgumentException($"no start values for the trainable parameter '{name}'", nameof(start))).ToList();
        return Run(session, parameters, data, options, continueFrom, exportState: true, progress, beforeStep, cancellationToken);
    }

    private static void Check(SupervisedData data, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Check() is { } problem)
        {
            throw new ArgumentException($"training options: {problem}", nameof(options));
        }

        if (data.Count < 2)
        {
            throw new ArgumentException($"{data.Count} training example(s); at least 2 are needed", nameof(data));
        }
    }

    private TrainingResult Run(Model model, TrainingRequest request, SupervisedData data, TrainingOptions options, OptimizerState? continueFrom, bool exportState, IProgress<TrainingProgress>? progress, Action<CancellationToken>? beforeStep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(data);
        Check(data, options);
        using var session = TrainingSession.Open(model, request, data.ClassTargets, options.IntraOpThreads);
        var parameters = session.Parameters.Select(name => InitialValues(model, name)).ToList();
        return Run(session, parameters, data, options, continueFrom, exportState, progress, beforeStep, cancellationToken);
    }

    private TrainingResult Run(TrainingSession trainingSession, List<float[]> parameters, SupervisedData data, TrainingOptions options, OptimizerState? continueFrom, bool exportState, IProgress<TrainingProgress>? progress, Action<CancellationToken>? beforeStep, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var weighted = !data.ClassTargets;
        var training = trainingSession.Graph;
        var names = training.ParameterInputs;
        var shapes = trainingSession.Shapes;
        var session = trainingSession.Session;
        using var runOptions = new RunOptions();
        using var updater = createUpdater(parameters, options);
        if (continueFrom is not null)
        {
            updater.ImportState(continueFrom);
        }

        var parameterValues = parameters.Select((values, i) => OrtValue.CreateTensorValueFromMemory(values, shapes[i])).ToList();
        try
        {
            var validationCount = options.ValidationFraction > 0 ? Math.Max(1, (int)Math.Round(data.Count * options.ValidationFraction)) : 0;
            var trainCount = data.Count - validationCount;
            var stepsPerEpoch = (trainCount + options.BatchSize - 1) / options.BatchSize;
            var totalSteps = (long)stepsPerEpoch * options.Epochs;
            var batch = new Batch(data, options.BatchSize);
            var inputNames = new List<string> { data.InputName, TargetInput };
            if (weighted)
            {
                inputNames.Add(WeightInput);
            }

            inputNames.AddRange(names);
            var stepOutputs = new List<string> { training.LossOutput };
            stepOutputs.AddRange(names.Select(n => training.GradientOutputs[n]));
            var lossOnly = new List<string> { training.LossOutput };

            var random = new Random(options.Seed);
            var order = Enumerable.Range(0, trainCount).ToArray();
            var stopping = new EarlyStopping(options.Patience);
            var best = parameters.Select(p => (float[])p.Clone()).ToList();
            var trainingLoss = new List<double>();
            var validationLoss = new List<double>();
            var stop = TrainingStop.Completed;
            long step = 0;
            var epoch = 0;
            for (; epoch < options.Epochs; epoch++)
            {
                random.Shuffle(order);
                double lossSum = 0, lossWeight = 0;
                for (var s = 0; s < stepsPerEpoch; s++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    beforeStep?.Invoke(cancellationToken);
                    var n = Math.Min(options.BatchSize, trainCount - (s * options.BatchSize));
                    var (batchLoss, batchWeight) = RunStep(session, runOptions, batch, order.AsSpan(s * options.BatchSize, n), inputNames, parameterValues, stepOutputs, updater, names.Count, options, LearningRates.At(options, step, totalSteps));
                    for (var p = 0; p < parameters.Count; p++)
                    {
                        updater.CopyParameter(p, parameters[p]);
                    }

                    step++;
                    lossSum += batchLoss * batchWeight;
                    lossWeight += batchWeight;
                    progress?.Report(new TrainingProgress(epoch, options.Epochs, s + 1, stepsPerEpoch, lossSum / Math.Max(lossWeight, 1e-12), null, LearningRates.At(options, step - 1, totalSteps)));
                }

                trainingLoss.Add(lossSum / Math.Max(lossWeight, 1e-12));
                if (validationCount == 0)
                {
                    progress?.Report(new TrainingProgress(epoch, options.Epochs, stepsPerEpoch, stepsPerEpoch, trainingLoss[^1], null, LearningRates.At(options, step - 1, totalSteps)));
                    continue;
                }

                var validation = Evaluate(session, runOptions, batch, trainCount, validationCount, inputNames, parameterValues, lossOnly);
                validationLoss.Add(validation);
                progress?.Report(new TrainingProgress(epoch, options.Epochs, stepsPerEpoch, stepsPerEpoch, trainingLoss[^1], validation, LearningRates.At(options, step - 1, totalSteps)));
                if (stopping.Record(epoch, validation))
                {
                    for (var p = 0; p < parameters.Count; p++)
                    {
                        parameters[p].CopyTo(best[p], 0);
                    }

                    if (options.CheckpointPath is { } path)
                    {
                        new TrainingCheckpoint(epoch, validation, Named(names, best)).Write(path);
                    }
                }

                if (stopping.ShouldStop)
                {
                    stop = TrainingStop.EarlyStopped;
                    epoch++;
                    break;
                }
            }

            var kept = validationCount > 0 ? best : parameters;
            return new TrainingResult(Named(names, kept), epoch, validationCount > 0 ? stopping.BestEpoch : epoch - 1, trainingLoss, validationLoss, stop, step, Stopwatch.GetElapsedTime(started), updater.Device, exportState ? updater.ExportState() : null);
        }
        finally
        {
            foreach (var value in parameterValues)
            {
                value.Dispose();
            }
        }
    }

    private static (double Loss, double Weight) RunStep(InferenceSession session, RunOptions runOptions, Batch batch, ReadOnlySpan<int> indices, List<string> inputNames, List<OrtValue> parameterValues, List<string> outputs, IParameterUpdater updater, int parameterCount, TrainingOptions options, double learningRate)
    {
        using var inputs = batch.Fill(indices);
        var values = new List<OrtValue>(inputs.Values);
        values.AddRange(parameterValues);
        using var results = session.Run(runOptions, inputNames, values, outputs);
        var loss = results[0].GetTensorDataAsSpan<float>()[0];
        for (var p = 0; p < parameterCount; p++)
        {
            updater.SetGradient(p, results[p + 1].GetTensorDataAsSpan<float>());
        }

        if (options.ClipNorm > 0)
        {
            var norm = updater.GradientNorm();
            if (norm > options.ClipNorm)
            {
                updater.ScaleGradients((float)(options.ClipNorm / norm));
            }
        }

        updater.Step(learningRate);
        return (loss, inputs.LossWeight);
    }

    // The loss of each validation batch is a (weighted) mean: combine them by their weights.
    private static double Evaluate(InferenceSession session, RunOptions runOptions, Batch batch, int first, int count, List<string> inputNames, List<OrtValue> parameterValues, List<string> lossOnly)
    {
        double sum = 0, weight = 0;
        var indices = Enumerable.Range(first, count).ToArray();
        for (var start = 0; start < count; start += batch.Capacity)
        {
            var n = Math.Min(batch.Capacity, count - start);
            using var inputs = batch.Fill(indices.AsSpan(start, n));
            var values = new List<OrtValue>(inputs.Values);
            values.AddRange(parameterValues);
            using var results = session.Run(runOptions, inputNames, values, lossOnly);
            sum += results[0].GetTensorDataAsSpan<float>()[0] * inputs.LossWeight;
            weight += inputs.LossWeight;
        }

        return weight > 0 ? sum / weight : double.NaN;
    }

    private static float[] InitialValues(Model model, string name)
    {
        var tensor = model.Graph.FindValue(name)?.Initializer ?? throw new ArgumentException($"'{name}' is not an initializer of the model");
        if (tensor.ElementType != DataType.Float)
        {
            throw new ArgumentException($"'{name}' is {tensor.ElementType}; only float parameters train");
        }

        return tensor.AsSpan<float>().ToArray();
    }

    private static Dictionary<string, float[]> Named(IReadOnlyList<string> names, IReadOnlyList<float[]> values) =>
        names.Select((n, i) => (n, values[i])).ToDictionary(x => x.n, x => (float[])x.Item2.Clone(), StringComparer.Ordinal);

    // One mini-batch's input buffers, reused across steps; a smaller last batch gets OrtValues over the same arrays.
    private sealed class Batch(SupervisedData data, int capacity)
    {
        private readonly float[] _input = new float[capacity * data.InputSize];
        private readonly float[] _target = data.ClassTargets ? [] : new float[capacity * data.TargetSize];
        private readonly float[] _weight = data.ClassTargets ? [] : new float[capacity * data.TargetSize];
        private readonly long[] _classes = data.ClassTargets ? new long[capacity] : [];

        public int Capacity => capacity;

        public Filled Fill(ReadOnlySpan<int> indices)
        {
            var n = indices.Length;
            var inputSize = (int)data.InputSize;
            var targetSize = (int)data.TargetSize;
            double lossWeight = 0;
            for (var i = 0; i < n; i++)
            {
                data.Input(indices[i]).CopyTo(_input.AsSpan(i * inputSize, inputSize));
                if (data.ClassTargets)
                {
                    _classes[i] = data.Class(indices[i]);
                    lossWeight++;
                }
                else
                {
                    data.Target(indices[i]).CopyTo(_target.AsSpan(i * targetSize, targetSize));
                    var w = data.Weight(indices[i]);
                    w.CopyTo(_weight.AsSpan(i * targetSize, targetSize));
                    foreach (var x in w)
                    {
                        lossWeight += x;
                    }
                }
            }

            long[] inputShape = [n, .. data.InputShape];
            long[] targetShape = [n, .. data.TargetShape];
            var values = new List<OrtValue> { OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<float>(_input, 0, n * inputSize), inputShape) };
            if (data.ClassTargets)
            {
                values.Add(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<long>(_classes, 0, n), [n]));
            }
            else
            {
                values.Add(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<float>(_target, 0, n * targetSize), targetShape));
                values.Add(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<float>(_weight, 0, n * targetSize), targetShape));
            }

            return new Filled(values, lossWeight);
        }
    }

    private sealed class Filled(List<OrtValue> values, double lossWeight) : IDisposable
    {
        public List<OrtValue> Values { get; } = values;

        public double LossWeight { get; } = lossWeight;

        public void Dispose()
        {
            foreach (var value in Values)
            {
                value.Dispose();
            }
        }
    }
}
