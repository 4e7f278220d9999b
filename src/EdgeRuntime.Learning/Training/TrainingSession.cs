using System.Diagnostics;
using EdgeRuntime.Graph.Autodiff;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Kernels.Training;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Learning.Training;

/// <summary>
/// The training graph of one model and trainable selection (<see cref="TrainingGraphBuilder"/>: the model's forward
/// pass, the loss and the gradient of every trainable parameter, all ONNX) in one ONNX Runtime session, kept for as
/// many runs as the model stays the same. Each step feeds a mini-batch and the current parameters, reads the loss and
/// the gradients, clips them to a global norm and hands them to an <see cref="IParameterUpdater"/> (ILGPU kernels),
/// whose new parameters the next step feeds. The newest <see cref="TrainingOptions.ValidationFraction"/> of the examples
/// is held out for early stopping; the best parameters on it are kept and checkpointed.
/// </summary>
/// <remarks>
/// A device trains while it serves, in one process whose collector stops every thread while it runs; the collections a
/// round causes were what lengthened serving's tail (the device-day benchmark, docs/learning.md). So the session
/// allocates what a step needs once: inputs and outputs are bound to arrays it owns (<see cref="OrtIoBinding"/>),
/// batches are copied into those arrays, and the shuffle order, batch buffers and gradient outputs are kept between runs.
/// A step allocates nothing on the managed heap. Runs on the calling thread (one intra-op thread by default), so the
/// caller decides its priority; <c>beforeStep</c> lets an on-device scheduler pause it while inference is busy.
/// Not for concurrent use.
/// </remarks>
public sealed class TrainingSession : IDisposable
{
    private const string TargetInput = "target";
    private const string WeightInput = "target_weight";

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly OrtIoBinding _train;
    private readonly OrtIoBinding _evaluate;
    private readonly string _inputName;
    private readonly long[] _inputShape;
    private readonly long[] _targetShape;
    private readonly bool _classTargets;
    private readonly string[] _names;
    private readonly float[][] _initial;
    private readonly float[][] _current;
    private readonly float[][] _gradients;
    private readonly float[] _loss = new float[1];
    private readonly List<OrtValue> _owned = [];
    private readonly string _lossOutput;
    private readonly string[] _gradientOutputs;
    private float[] _input = [];
    private float[] _target = [];
    private float[] _weight = [];
    private long[] _classes = [];
    private int[] _order = [];
    private int _capacity;
    private int _boundRows = -1;
    private OrtValue[] _batchValues = [];
    private OrtValue[] _fullBatchValues = [];

    private TrainingSession(Model model, TrainingRequest request, SupervisedData layout, int intraOpThreads)
    {
        var output = request.Output ?? model.Graph.Outputs[0].Name;
        _classTargets = layout.ClassTargets;
        var loss = new LossTerm(request.Loss, output, TargetInput, _classTargets ? null : WeightInput, request.HuberDelta);
        var training = TrainingGraphBuilder.Build(model, new TrainingGraphRequest([loss], request.Trainable));
        _names = [.. training.ParameterInputs];
        _lossOutput = training.LossOutput;
        _gradientOutputs = [.. _names.Select(n => training.GradientOutputs[n])];
        _inputName = layout.InputName;
        _inputShape = [.. layout.InputShape];
        _targetShape = [.. layout.TargetShape];
        _initial = [.. _names.Select(name => InitialValues(model, name))];
        _current = [.. _initial.Select(p => (float[])p.Clone())];
        _gradients = [.. _initial.Select(p => new float[p.Length])];
        var shapes = _names.Select(name => model.Graph.FindValue(name)!.Initializer!.Dims.ToArray()).ToArray();

        using var sessionOptions = new SessionOptions { IntraOpNumThreads = intraOpThreads, InterOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        _session = new InferenceSession(OnnxModelWriter.ToBytes(training.Model), sessionOptions);
        _train = _session.CreateIoBinding();
        _evaluate = _session.CreateIoBinding();
        try
        {
            // The loss is a scalar; its declared shape says how ONNX Runtime writes it ([] or [1]).
            var lossShape = _session.OutputMetadata[_lossOutput].Dimensions.Select(d => (long)Math.Max(d, 1)).ToArray();
            var lossValue = Own(OrtValue.CreateTensorValueFromMemory(_loss, lossShape));
            _train.BindOutput(_lossOutput, lossValue);
            _evaluate.BindOutput(_lossOutput, lossValue);
            for (var p = 0; p < _names.Length; p++)
            {
                var parameter = Own(OrtValue.CreateTensorValueFromMemory(_current[p], shapes[p]));
                _train.BindInput(_names[p], parameter);
                _evaluate.BindInput(_names[p], parameter);
                _train.BindOutput(_gradientOutputs[p], Own(OrtValue.CreateTensorValueFromMemory(_gradients[p], shapes[p])));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The trainable initializers, in the order of <see cref="TrainingResult.Parameters"/>' creation and the updater's positions.</summary>
    public IReadOnlyList<string> Parameters => _names;

    /// <summary>Builds the training graph of <paramref name="request"/> on <paramref name="model"/> (not changed) and opens its session.</summary>
    /// <param name="model">The model; its current initializer values are the start of every run.</param>
    /// <param name="request">What to train and the loss.</param>
    /// <param name="layout">Examples of the kind every run will get (their input name, shapes and target kind are used).</param>
    /// <param name="intraOpThreads">ONNX Runtime intra-op threads (1 keeps the work on the calling thread).</param>
    /// <exception cref="ArgumentException">A trainable name is not a float initializer of the model.</exception>
    /// <exception cref="TrainingGraphException">A gradient must flow through an operator without a rule.</exception>
    public static TrainingSession Create(Model model, TrainingRequest request, SupervisedData layout, int intraOpThreads = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(layout);
        return new TrainingSession(model, request, layout, intraOpThreads);
    }

    /// <summary>Whether <paramref name="data"/> has the input name, shapes and target kind this session was made for.</summary>
    public bool Fits(SupervisedData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data.InputName == _inputName && data.ClassTargets == _classTargets && data.InputShape.SequenceEqual(_inputShape) && data.TargetShape.SequenceEqual(_targetShape);
    }

    /// <summary>
    /// Trains from the model's initial parameter values on <paramref name="data"/> (the newest
    /// <see cref="TrainingOptions.ValidationFraction"/> held out for early stopping).
    /// </summary>
    /// <exception cref="ArgumentException">The options or the data do not fit (one line says why).</exception>
    /// <exception cref="OperationCanceledException">Cancelled, between steps.</exception>
    public TrainingResult Train(SupervisedData data, TrainingOptions options, Func<IReadOnlyList<float[]>, TrainingOptions, IParameterUpdater> createUpdater, IProgress<TrainingProgress>? progress = null, Action<CancellationToken>? beforeStep = null, CancellationToken cancellationToken = default) =>
        Run(data, start: null, continueFrom: null, exportState: false, options, createUpdater, progress, beforeStep, cancellationToken);

    /// <summary>
    /// Trains from <paramref name="start"/> (every trainable parameter's values by name; null: the model's own values)
    /// with the optimiser continuing from <paramref name="continueFrom"/> (an earlier run's
    /// <see cref="TrainingResult.OptimizerState"/> over the same parameters; null starts fresh), and returns the
    /// optimiser's final state with the result. Federated rounds use it: each round starts from the newest global
    /// version, and a device's Adam may keep its moment estimates from round to round instead of taking sign-like
    /// first steps each time (Kingma &amp; Ba 2015, §2: with fresh moments the first step moves every parameter by the
    /// full learning rate whatever its gradient's size).
    /// </summary>
    /// <exception cref="ArgumentException">The options, the data, a start value or the optimiser state do not fit (one line says why).</exception>
    /// <exception cref="OperationCanceledException">Cancelled, between steps.</exception>
    public TrainingResult Train(SupervisedData data, IReadOnlyDictionary<string, float[]>? start, OptimizerState? continueFrom, TrainingOptions options, Func<IReadOnlyList<float[]>, TrainingOptions, IParameterUpdater> createUpdater, IProgress<TrainingProgress>? progress = null, Action<CancellationToken>? beforeStep = null, CancellationToken cancellationToken = default) =>
        Run(data, start, continueFrom, exportState: true, options, createUpdater, progress, beforeStep, cancellationToken);

    private TrainingResult Run(SupervisedData data, IReadOnlyDictionary<string, float[]>? start, OptimizerState? continueFrom, bool exportState, TrainingOptions options, Func<IReadOnlyList<float[]>, TrainingOptions, IParameterUpdater> createUpdater, IProgress<TrainingProgress>? progress, Action<CancellationToken>? beforeStep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(createUpdater);
        if (options.Check() is { } problem)
        {
            throw new ArgumentException($"training options: {problem}", nameof(options));
        }

        if (data.Count < 2)
        {
            throw new ArgumentException($"{data.Count} training example(s); at least 2 are needed", nameof(data));
        }

        CheckFits(data);
        var started = Stopwatch.GetTimestamp();
        SetParameters(start, nameof(start));
        using var updater = createUpdater(_current, options);
        if (continueFrom is not null)
        {
            updater.ImportState(continueFrom);
        }

        var validationCount = options.ValidationFraction > 0 ? Math.Max(1, (int)Math.Round(data.Count * options.ValidationFraction)) : 0;
        var trainCount = data.Count - validationCount;
        var stepsPerEpoch = (trainCount + options.BatchSize - 1) / options.BatchSize;
        var totalSteps = (long)stepsPerEpoch * options.Epochs;
        EnsureCapacity(options.BatchSize);
        if (_order.Length < trainCount)
        {
            _order = new int[trainCount];
        }

        var order = _order.AsSpan(0, trainCount);
        for (var i = 0; i < trainCount; i++)
        {
            order[i] = i;
        }

        var random = new Random(options.Seed);
        var stopping = new EarlyStopping(options.Patience);
        var best = _current.Select(p => (float[])p.Clone()).ToList();
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
                var batchWeight = Fill(data, order.Slice(s * options.BatchSize, n));
                _session.RunWithBinding(_runOptions, _train);
                for (var p = 0; p < _names.Length; p++)
                {
                    updater.SetGradient(p, _gradients[p]);
                }

                if (options.ClipNorm > 0)
                {
                    var norm = updater.GradientNorm();
                    if (norm > options.ClipNorm)
                    {
                        updater.ScaleGradients((float)(options.ClipNorm / norm));
                    }
                }

                updater.Step(LearningRates.At(options, step, totalSteps));
                for (var p = 0; p < _names.Length; p++)
                {
                    updater.CopyParameter(p, _current[p]);
                }

                step++;
                lossSum += _loss[0] * batchWeight;
                lossWeight += batchWeight;
                progress?.Report(new TrainingProgress(epoch, options.Epochs, s + 1, stepsPerEpoch, lossSum / Math.Max(lossWeight, 1e-12), null, LearningRates.At(options, step - 1, totalSteps)));
            }

            trainingLoss.Add(lossSum / Math.Max(lossWeight, 1e-12));
            if (validationCount == 0)
            {
                progress?.Report(new TrainingProgress(epoch, options.Epochs, stepsPerEpoch, stepsPerEpoch, trainingLoss[^1], null, LearningRates.At(options, step - 1, totalSteps)));
                continue;
            }

            var validation = MeanLoss(data, trainCount, validationCount);
            validationLoss.Add(validation);
            progress?.Report(new TrainingProgress(epoch, options.Epochs, stepsPerEpoch, stepsPerEpoch, trainingLoss[^1], validation, LearningRates.At(options, step - 1, totalSteps)));
            if (stopping.Record(epoch, validation))
            {
                for (var p = 0; p < _current.Length; p++)
                {
                    _current[p].CopyTo(best[p], 0);
                }

                if (options.CheckpointPath is { } path)
                {
                    new TrainingCheckpoint(epoch, validation, Named(best)).Write(path);
                }
            }

            if (stopping.ShouldStop)
            {
                stop = TrainingStop.EarlyStopped;
                epoch++;
                break;
            }
        }

        var kept = validationCount > 0 ? best : [.. _current];
        return new TrainingResult(Named(kept), epoch, validationCount > 0 ? stopping.BestEpoch : epoch - 1, trainingLoss, validationLoss, stop, step, Stopwatch.GetElapsedTime(started), updater.Device, exportState ? updater.ExportState() : null);
    }

    /// <summary>
    /// The loss over every example of <paramref name="data"/> (each batch's weighted mean combined by the batches'
    /// weights, so the result is Σ w·e / Σ w over all examples), with <paramref name="parameters"/> in place of the
    /// trainable initializers (null: the model's own values). For the mean absolute error with 0/1 weights this is
    /// the MAE over the observed targets, in the units the model's output has.
    /// </summary>
    /// <exception cref="ArgumentException">The data do not fit, or a parameter is missing or has the wrong length.</exception>
    public double Loss(SupervisedData data, IReadOnlyDictionary<string, float[]>? parameters = null, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        CheckFits(data);
        SetParameters(parameters, nameof(parameters));
        EnsureCapacity(Math.Max(_capacity, batchSize));
        return MeanLoss(data, 0, data.Count);
    }

    /// <summary>Closes the session and frees the bound values.</summary>
    public void Dispose()
    {
        foreach (var value in _owned.Concat(_fullBatchValues).Concat(_batchValues.Except(_fullBatchValues)))
        {
            value.Dispose();
        }

        _owned.Clear();
        _fullBatchValues = _batchValues = [];
        _train?.Dispose();
        _evaluate?.Dispose();
        _runOptions.Dispose();
        _session?.Dispose();
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

    // Puts the given values (all checked first; null: the model's own) into the arrays the session's parameters are bound to.
    private void SetParameters(IReadOnlyDictionary<string, float[]>? parameters, string argument)
    {
        var values = new float[_names.Length][];
        for (var p = 0; p < _names.Length; p++)
        {
            values[p] = parameters is null ? _initial[p]
                : parameters.TryGetValue(_names[p], out var given) ? given
                : throw new ArgumentException($"no values for trainable parameter '{_names[p]}'", argument);
            if (values[p].Length != _current[p].Length)
            {
                throw new ArgumentException($"'{_names[p]}' has {values[p].Length} values, the model's has {_current[p].Length}", argument);
            }
        }

        for (var p = 0; p < _names.Length; p++)
        {
            values[p].CopyTo(_current[p], 0);
        }
    }

    private Dictionary<string, float[]> Named(IReadOnlyList<float[]> values) =>
        _names.Select((n, i) => (n, values[i])).ToDictionary(x => x.n, x => (float[])x.Item2.Clone(), StringComparer.Ordinal);

    private OrtValue Own(OrtValue value)
    {
        _owned.Add(value);
        return value;
    }

    private void CheckFits(SupervisedData data)
    {
        if (!Fits(data))
        {
            throw new ArgumentException($"examples of '{data.InputName}' [{string.Join(", ", data.InputShape)}] -> [{string.Join(", ", data.TargetShape)}] do not fit this training session ('{_inputName}' [{string.Join(", ", _inputShape)}] -> [{string.Join(", ", _targetShape)}])", nameof(data));
        }
    }

    // The batch arrays hold `rows` examples; full batches are bound once, a shorter one while it runs.
    private void EnsureCapacity(int rows)
    {
        if (rows <= _capacity)
        {
            return;
        }

        _capacity = rows;
        var inputSize = (int)_inputShape.Aggregate(1L, (a, b) => a * b);
        var targetSize = (int)_targetShape.Aggregate(1L, (a, b) => a * b);
        _input = new float[rows * inputSize];
        _target = _classTargets ? [] : new float[rows * targetSize];
        _weight = _classTargets ? [] : new float[rows * targetSize];
        _classes = _classTargets ? new long[rows] : [];
        foreach (var value in _fullBatchValues.Concat(_batchValues.Except(_fullBatchValues)))
        {
            value.Dispose();
        }

        _fullBatchValues = BatchValues(rows);
        _batchValues = _fullBatchValues;
        _boundRows = -1;
    }

    private OrtValue[] BatchValues(int rows)
    {
        var inputSize = (int)_inputShape.Aggregate(1L, (a, b) => a * b);
        var targetSize = (int)_targetShape.Aggregate(1L, (a, b) => a * b);
        var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<float>(_input, 0, rows * inputSize), [rows, .. _inputShape]);
        if (_classTargets)
        {
            return [input, OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<long>(_classes, 0, rows), [rows])];
        }

        long[] targetShape = [rows, .. _targetShape];
        return
        [
            input,
            OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<float>(_target, 0, rows * targetSize), targetShape),
            OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<float>(_weight, 0, rows * targetSize), targetShape),
        ];
    }

    private void Bind(int rows)
    {
        if (rows == _boundRows)
        {
            return;
        }

        if (_batchValues != _fullBatchValues)
        {
            foreach (var value in _batchValues)
            {
                value.Dispose();
            }
        }

        _batchValues = rows == _capacity ? _fullBatchValues : BatchValues(rows);
        foreach (var binding in (ReadOnlySpan<OrtIoBinding>)[_train, _evaluate])
        {
            binding.BindInput(_inputName, _batchValues[0]);
            binding.BindInput(TargetInput, _batchValues[1]);
            if (!_classTargets)
            {
                binding.BindInput(WeightInput, _batchValues[2]);
            }
        }

        _boundRows = rows;
    }

    // Copies the examples at `indices` into the batch arrays; returns the batch's loss weight (Σ w, or its size for classes).
    private double Fill(SupervisedData data, ReadOnlySpan<int> indices)
    {
        var n = indices.Length;
        var inputSize = (int)data.InputSize;
        var targetSize = (int)data.TargetSize;
        double lossWeight = 0;
        for (var i = 0; i < n; i++)
        {
            data.Input(indices[i]).CopyTo(_input.AsSpan(i * inputSize, inputSize));
            if (_classTargets)
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

        Bind(n);
        return lossWeight;
    }

    // The loss of each batch is a (weighted) mean: combine them by their weights.
    private double MeanLoss(SupervisedData data, int first, int count)
    {
        double sum = 0, weight = 0;
        Span<int> indices = stackalloc int[Math.Min(_capacity, 1024)];
        for (var start = 0; start < count; start += indices.Length)
        {
            var n = Math.Min(indices.Length, count - start);
            for (var i = 0; i < n; i++)
            {
                indices[i] = first + start + i;
            }

            var batchWeight = Fill(data, indices[..n]);
            _session.RunWithBinding(_runOptions, _evaluate);
            sum += _loss[0] * batchWeight;
            weight += batchWeight;
        }

        return weight > 0 ? sum / weight : double.NaN;
    }
}
