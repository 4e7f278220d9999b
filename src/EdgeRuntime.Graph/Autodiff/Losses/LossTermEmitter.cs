using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff.Losses;

/// <summary>
/// Emits the loss terms of a request and sums them into the scalar loss. A term is
/// L = s · mean(e) without weights, or L = s · Σ w·e / max(Σ w, ε) with weights (ε = 1e-12, so an all-zero mask gives
/// L = 0 rather than a division by zero); its gradient with respect to the output it reads is s · ∂e/∂y / n, or
/// s · w · ∂e/∂y / max(Σ w, ε), added to whatever else reaches that output.
/// </summary>
internal static class LossTermEmitter
{
    /// <summary>ε of the weighted mean's denominator.</summary>
    public const double WeightEpsilon = 1e-12;

    /// <summary>The emitted loss: the scalar, each output's seed gradient, and the new inputs.</summary>
    public sealed record Emitted(Value Loss, IReadOnlyList<(Value Output, Value Gradient)> Seeds, IReadOnlyList<string> Targets, IReadOnlyList<string> Weights);

    public static Emitted Emit(GradientEmitter emit, IReadOnlyList<LossTerm> terms)
    {
        var graph = emit.Graph;
        var created = new Dictionary<string, (Value Value, string Role)>(StringComparer.Ordinal);
        var targets = new List<string>();
        var weights = new List<string>();
        var seeds = new List<(Value, Value)>();
        Value? total = null;
        for (var index = 0; index < terms.Count; index++)
        {
            var term = terms[index];
            emit.Node = null;
            emit.Scope = $"loss{index}";
            var where = $"loss term {index} ({term.Kind} on '{term.Output}')";
            var output = graph.FindValue(term.Output) ?? throw new TrainingGraphException(
                $"{where}: the model's main graph has no value '{term.Output}' (outputs: {string.Join(", ", graph.Outputs.Select(o => o.Name))})");
            if (output.TensorType is not { } outputType || !DataTypes.IsFloatingPoint(outputType.ElementType))
            {
                throw new TrainingGraphException($"{where}: '{term.Output}' is {output.Type?.ToString() ?? "of unknown type"}; a loss needs a floating-point tensor");
            }

            if (term.Kind == LossKind.Huber && !(term.HuberDelta > 0 && float.IsFinite(term.HuberDelta)))
            {
                throw new TrainingGraphException($"{where}: HuberDelta {term.HuberDelta} must be a positive number");
            }

            if (!float.IsFinite(term.Scale))
            {
                throw new TrainingGraphException($"{where}: Scale {term.Scale} must be finite");
            }

            var function = LossFunction.For(term.Kind);
            var targetType = function.TargetType(outputType);
            var target = NewInput(graph, created, term.TargetInput, "target", targetType, where, targets);
            var (elementLoss, gradient) = function.Emit(emit, output, target, term);
            var type = outputType.ElementType;
            var scale = emit.Scalar(term.Scale, type);
            Value loss;
            if (term.WeightInput is { } weightName)
            {
                var weight = NewInput(graph, created, weightName, "weight", new TensorType(type, targetType.Shape), where, weights);
                var denominator = emit.Op("Max", [emit.ReduceAll("ReduceSum", weight), emit.Scalar(WeightEpsilon, type)]);
                loss = emit.Div(emit.ReduceAll("ReduceSum", emit.Mul(weight, elementLoss)), denominator);

                // Weights are shaped like the target; the class axis of cross-entropy's gradient broadcasts them.
                var perOutput = targetType.Shape?.Rank < outputType.Shape?.Rank ? emit.Unsqueeze(weight, targetType.Shape!.Rank) : weight;
                gradient = emit.Mul(gradient, emit.Div(emit.Mul(perOutput, scale), denominator));
            }
            else
            {
                loss = emit.ReduceAll("ReduceMean", elementLoss);
                var count = targetType.Shape?.ElementCount() is { } known
                    ? emit.Scalar(known, type)
                    : emit.Cast(emit.Size(elementLoss), type);
                gradient = emit.Mul(gradient, emit.Div(scale, count));
            }

            loss = emit.Mul(loss, scale);
            seeds.Add((output, gradient));
            total = total is null ? loss : emit.Add(total, loss);
        }

        return new Emitted(total!, seeds, targets, weights);
    }

    private static Value NewInput(Ir.Graph graph, Dictionary<string, (Value Value, string Role)> created, string name, string role, TensorType type, string where, List<string> names)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new TrainingGraphException($"{where}: the {role} input needs a name");
        }

        if (created.TryGetValue(name, out var existing))
        {
            if (existing.Role != role || !Equals(existing.Value.Type, type))
            {
                throw new TrainingGraphException($"{where}: input '{name}' is already the {existing.Role} {existing.Value.Type} of another term; a {role} {type} cannot share it");
            }

            return existing.Value;
        }

        if (graph.FindValue(name) is not null)
        {
            throw new TrainingGraphException($"{where}: the {role} input '{name}' would clash with a value of the model of that name");
        }

        var input = graph.AddInput(name, type);
        if (input.Name != name)
        {
            throw new TrainingGraphException($"{where}: the {role} input '{name}' would clash with a node of the model of that name");
        }

        created[name] = (input, role);
        names.Add(name);
        return input;
    }
}
