using EdgeRuntime.Graph.Autodiff;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Graph.Passes.Fusion;
using EdgeRuntime.Inference.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Graph.Tests.Autodiff;

/// <summary>Which float64 function the finite differences are taken of.</summary>
internal enum Reference
{
    /// <summary>ONNX Runtime running the inference model itself in double (for models built in double).</summary>
    OnnxRuntimeDouble,

    /// <summary><see cref="ReferenceEvaluator"/> (for operators ONNX Runtime runs in float32 only, and the shared models).</summary>
    CSharp,
}

/// <summary>
/// Checks a training graph against central finite differences: ONNX Runtime runs the training graph (in the model's
/// own precision) for the loss and the analytic gradients; a float64 reference — the inference model in ONNX Runtime
/// (double models) or the C# reference evaluator (float models) — followed by <see cref="ReferenceLoss"/> gives
/// L(θ ± h·eᵢ) for each checked coordinate, and (L₊ − L₋)/2h is compared with the gradient. Errors are relative to
/// each parameter's largest finite-difference magnitude.
/// </summary>
internal static class GradientCheck
{
    public static readonly SessionSettings Exact = new() { OptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpThreads = 1 };

    public sealed record Options
    {
        public Reference Reference { get; init; } = Reference.OnnxRuntimeDouble;

        /// <summary>Largest allowed |analytic − FD| / max|FD| per parameter.</summary>
        public double Tolerance { get; init; } = 1e-6;

        /// <summary>Largest allowed relative difference between the training graph's loss and the reference loss.</summary>
        public double LossTolerance { get; init; } = 1e-9;

        /// <summary>Finite-difference step (relative to max(1, |θᵢ|)).</summary>
        public double Step { get; init; } = 1e-6;

        /// <summary>Coordinates checked per parameter (all when it has fewer; a seeded random subset otherwise).</summary>
        public int MaxCoordinates { get; init; } = 512;

        /// <summary>Loss terms; default: mean squared error on every graph output, target "&lt;output&gt;_target".</summary>
        public IReadOnlyList<LossTerm>? Losses { get; init; }

        /// <summary>Trainable initializers; default: every <see cref="TestModel.Params"/> entry (or every float initializer).</summary>
        public IReadOnlyCollection<string>? Trainable { get; init; }

        /// <summary>Feeds for data inputs, targets or weights; missing ones get seeded random values.</summary>
        public IReadOnlyDictionary<string, Tensor> Feeds { get; init; } = new Dictionary<string, Tensor>();

        /// <summary>Shapes for <see cref="TrainingGraphRequest.InputShapes"/>.</summary>
        public IReadOnlyDictionary<string, long[]> InputShapes { get; init; } = new Dictionary<string, long[]>();

        public int Seed { get; init; } = 11;

        /// <summary>The parameters whose gradients are compared with finite differences (default: all; every one is still shape-checked).</summary>
        public IReadOnlyCollection<string>? Check { get; init; }

        /// <summary>How ONNX Runtime runs the training graph. Default: no graph optimisation (its fusions compute some double products in lower precision).</summary>
        public SessionSettings TrainingSession { get; init; } = Exact;
    }

    public sealed record Report(double WorstError, int Coordinates, double Loss, TrainingGraph Graph);

    public static Report Run(TestModel model, Options? options = null) =>
        Run(model.Model, (options ?? new Options()) with { Trainable = options?.Trainable ?? model.Params });

    public static Report Run(Model model, Options options)
    {
        Graph.Shapes.ShapeInference.Run(model);
        var random = new Random(options.Seed);
        var losses = options.Losses ?? [.. model.Graph.Outputs.Select(o => new LossTerm(LossKind.MeanSquaredError, o.Name, $"{o.Name}_target"))];
        var trainable = options.Trainable ?? [.. model.Graph.Initializers.Where(i => DataTypes.IsFloatingPoint(i.Initializer!.ElementType)).Select(i => i.Name)];
        var parameters = TrainableSelection.Named(model, trainable).Select(n => model.Graph.FindValue(n)!).ToList();
        var dataInputs = model.Graph.Inputs.Where(i => i.Initializer is null).Select(i => i.Name).ToHashSet();
        var feeds = options.Feeds.Where(f => dataInputs.Contains(f.Key)).ToDictionary();
        foreach (var input in model.Graph.Inputs.Where(i => i.Initializer is null && !feeds.ContainsKey(i.Name)))
        {
            var type = input.TensorType!;
            var dims = options.InputShapes.GetValueOrDefault(input.Name) ?? type.Shape!.ToArray();
            feeds[input.Name] = RandomTensor(type.ElementType, dims, random, -1, 1);
        }

        using var reference = new ForwardReference(model, options.Reference, losses.Select(l => l.Output).Distinct().ToList(), parameters, feeds);
        var baseValues = parameters.ToDictionary(p => p.Name, p => p.Initializer!.ToDoubleArray());
        var outputs = reference.Run(baseValues);

        // Targets and weights, once, from the outputs' shapes; every third weight is 0 (a masked label).
        var extra = new Dictionary<string, (Tensor Tensor, RefTensor Reference)>();
        foreach (var term in losses)
        {
            var output = outputs[term.Output];
            var type = model.Graph.FindValue(term.Output)!.TensorType!.ElementType;
            if (options.Feeds.TryGetValue(term.TargetInput, out var givenTarget))
            {
                extra[term.TargetInput] = Both(givenTarget);
            }
            else if (!extra.ContainsKey(term.TargetInput))
            {
                extra[term.TargetInput] = term.Kind == LossKind.SoftmaxCrossEntropy
                    ? Classes(output, random)
                    : Both(RandomTensor(type, output.Dims, random, -1, 1));
            }

            if (term.WeightInput is { } givenName && options.Feeds.TryGetValue(givenName, out var givenWeights))
            {
                extra[givenName] = Both(givenWeights);
            }
            else if (term.WeightInput is { } weightName && !extra.ContainsKey(weightName))
            {
                var dims = extra[term.TargetInput].Reference.Dims;
                var count = (int)dims.Aggregate(1L, (a, b) => a * b);
                extra[weightName] = Both(ChannelConstants.FromDoubles(type, [.. Enumerable.Range(0, count).Select(i => i % 3 == 2 ? 0 : random.NextDouble() + 0.1)], dims));
            }
        }

        double ReferenceLossAt(Dictionary<string, double[]> values)
        {
            var forward = reference.Run(values);
            return losses.Sum(t => ReferenceLoss.Term(t, forward[t.Output], extra[t.TargetInput].Reference, t.WeightInput is { } w ? extra[w].Reference : null));
        }

        var request = new TrainingGraphRequest(losses, trainable) { InputShapes = options.InputShapes };
        var training = TrainingGraphBuilder.Build(model, request);
        using var session = ModelSession.Create(OnnxModelWriter.ToBytes(training.Model), options.TrainingSession);
        var trainingFeeds = new Dictionary<string, Tensor>(feeds);
        foreach (var parameter in parameters)
        {
            trainingFeeds[parameter.Name] = parameter.Initializer!;
        }

        foreach (var (name, (tensor, _)) in extra)
        {
            trainingFeeds[name] = tensor;
        }

        var results = session.Run(trainingFeeds);
        var loss = results[training.LossOutput].ToDoubleArray().Single();
        var expectedLoss = ReferenceLossAt(baseValues);
        Assert.True(
            Math.Abs(loss - expectedLoss) <= options.LossTolerance * Math.Max(1, Math.Abs(expectedLoss)),
            $"the training graph's loss {loss:R} differs from the reference {expectedLoss:R} by more than {options.LossTolerance:E0} relative");

        var worst = 0.0;
        var checkedCount = 0;
        foreach (var parameter in parameters)
        {
            var analytic = results[training.GradientOutputs[parameter.Name]];
            Assert.Equal(parameter.Initializer!.Dims, analytic.Dims);
            var gradient = analytic.ToDoubleArray();
            Assert.All(gradient, g => Assert.True(double.IsFinite(g), $"∂loss/∂{parameter.Name} has a non-finite element"));
            if (options.Check is { } only && !only.Contains(parameter.Name))
            {
                continue;
            }

            var count = gradient.Length;
            var coordinates = count <= options.MaxCoordinates
                ? Enumerable.Range(0, count).ToList()
                : [.. Enumerable.Range(0, count).OrderBy(_ => random.Next()).Take(options.MaxCoordinates)];
            var differences = new List<(int Index, double Analytic, double Numeric)>();
            foreach (var i in coordinates)
            {
                var values = baseValues.ToDictionary(p => p.Key, p => p.Value);
                var perturbed = (double[])baseValues[parameter.Name].Clone();
                values[parameter.Name] = perturbed;
                var step = options.Step * Math.Max(1, Math.Abs(perturbed[i]));
                var original = perturbed[i];
                perturbed[i] = original + step;
                var plus = ReferenceLossAt(values);
                perturbed[i] = original - step;
                var minus = ReferenceLossAt(values);
                differences.Add((i, gradient[i], (plus - minus) / (2 * step)));
            }

            var scale = Math.Max(differences.Max(d => Math.Abs(d.Numeric)), 1e-12);
            var (index, a, n) = differences.MaxBy(d => Math.Abs(d.Analytic - d.Numeric));
            var error = Math.Abs(a - n) / scale;
            Assert.True(
                error <= options.Tolerance,
                $"∂loss/∂{parameter.Name}[{index}]: analytic {a:R}, finite difference {n:R}; error {error:E2} relative to {scale:E2} exceeds {options.Tolerance:E0}");
            worst = Math.Max(worst, error);
            checkedCount += differences.Count;
        }

        return new Report(worst, checkedCount, loss, training);
    }

    public static Tensor RandomTensor(DataType type, long[] dims, Random random, double low, double high)
    {
        var count = (int)dims.Aggregate(1L, (a, b) => a * b);
        return ChannelConstants.FromDoubles(type, [.. Enumerable.Range(0, count).Select(_ => low + (random.NextDouble() * (high - low)))], dims);
    }

    private static (Tensor, RefTensor) Both(Tensor tensor) => (tensor, RefTensor.Of(tensor));

    private static (Tensor, RefTensor) Classes(RefTensor logits, Random random)
    {
        var classes = logits.Dims[^1];
        var dims = logits.Dims[..^1];
        var count = (int)dims.Aggregate(1L, (a, b) => a * b);
        return Both(Tensor.From<long>([.. Enumerable.Range(0, count).Select(_ => (long)random.Next((int)classes))], dims));
    }

    /// <summary>The float64 forward function: parameter values → the loss terms' output values.</summary>
    private sealed class ForwardReference : IDisposable
    {
        private readonly Model _model;
        private readonly IReadOnlyList<string> _outputs;
        private readonly IReadOnlyList<Value> _parameters;
        private readonly IReadOnlyDictionary<string, Tensor> _feeds;
        private readonly ModelSession? _session;

        public ForwardReference(Model model, Reference kind, IReadOnlyList<string> outputs, IReadOnlyList<Value> parameters, IReadOnlyDictionary<string, Tensor> feeds)
        {
            (_model, _outputs, _parameters, _feeds) = (model, outputs, parameters, feeds);
            if (kind == Reference.OnnxRuntimeDouble)
            {
                // The parameters become overridable and the loss outputs visible, on a copy.
                var copy = OnnxModelReader.Read(OnnxModelWriter.ToBytes(model), "reference", null);
                foreach (var parameter in parameters)
                {
                    var value = copy.Graph.FindValue(parameter.Name)!;
                    if (!value.IsGraphInput)
                    {
                        copy.Graph.MarkOverridable(value);
                    }
                }

                copy.Graph.SetOutputs(outputs.Select(o => copy.Graph.FindValue(o)!));
                _session = ModelSession.Create(OnnxModelWriter.ToBytes(copy), Exact);
            }
        }

        public Dictionary<string, RefTensor> Run(IReadOnlyDictionary<string, double[]> parameterValues)
        {
            if (_session is not null)
            {
                var feeds = new Dictionary<string, Tensor>(_feeds);
                foreach (var parameter in _parameters)
                {
                    var tensor = parameter.Initializer!;
                    Assert.Equal(DataType.Double, tensor.ElementType);
                    feeds[parameter.Name] = Tensor.From<double>(parameterValues[parameter.Name], [.. tensor.Dims]);
                }

                return _session.Run(feeds, _outputs).ToDictionary(p => p.Key, p => RefTensor.Of(p.Value));
            }

            var inputs = _feeds.ToDictionary(p => p.Key, p => RefTensor.Of(p.Value));
            foreach (var parameter in _parameters)
            {
                inputs[parameter.Name] = new RefTensor(parameterValues[parameter.Name], [.. parameter.Initializer!.Dims]);
            }

            var all = ReferenceEvaluator.Run(_model, inputs);
            return _outputs.ToDictionary(o => o, o => all[o]);
        }

        public void Dispose() => _session?.Dispose();
    }
}
