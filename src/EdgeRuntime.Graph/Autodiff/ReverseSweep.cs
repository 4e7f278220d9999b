using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff;

/// <summary>
/// Reverse-mode differentiation of the main graph: finds the nodes that lie between a trainable parameter and the
/// loss (a node qualifies when a floating-point output depends on a parameter and the loss depends on it), walks them
/// in reverse execution order, sums the gradient contributions each value receives, and asks each node's rule for
/// its inputs' gradients. Everything else — frozen layers before the first parameter, outputs the loss does not
/// read — gets no backward node at all.
/// </summary>
internal sealed class ReverseSweep
{
    private readonly GradientEmitter _emit;
    private readonly Dictionary<Value, List<Value>> _contributions = [];
    private readonly Dictionary<Value, Value> _sums = [];

    public ReverseSweep(GradientEmitter emit) => _emit = emit;

    /// <summary>
    /// Runs the sweep over the forward nodes (<paramref name="order"/>, in execution order) from the loss seeds; returns
    /// each parameter's gradient, or null where none reaches it.
    /// </summary>
    public IReadOnlyDictionary<Value, Value?> Run(IReadOnlyList<Node> order, IReadOnlyList<Value> parameters, IReadOnlyList<(Value Output, Value Gradient)> seeds)
    {
        var active = Active(order, parameters);
        var needed = Needed(order, seeds.Select(s => s.Output));
        foreach (var (output, gradient) in seeds)
        {
            Accumulate(output, gradient);
        }

        for (var i = order.Count - 1; i >= 0; i--)
        {
            var node = order[i];
            if (!node.Outputs.Any(o => o is not null && active.Contains(o) && needed.Contains(o)))
            {
                continue;
            }

            var outputGradients = node.Outputs.Select(o => o is not null && active.Contains(o) ? Total(o) : null).ToList();
            if (outputGradients.All(g => g is null))
            {
                continue;
            }

            EmitNode(node, outputGradients, active);
        }

        return parameters.ToDictionary(p => p, Total);
    }

    private void EmitNode(Node node, IReadOnlyList<Value?> outputGradients, HashSet<Value> active)
    {
        _emit.Node = node;
        _emit.Scope = $"{node.Name}_grad";
        var rule = GradientRules.Find(node)
            ?? throw _emit.Fail("no gradient rule for this operator, and a gradient of the trainable parameters must flow through it");
        var wanted = new HashSet<int>();
        for (var i = 0; i < node.Inputs.Count; i++)
        {
            if (node.Inputs[i] is { } input && active.Contains(input))
            {
                if (!rule.IsDifferentiable(node, i))
                {
                    throw _emit.Fail($"input {i} ('{input.Name}') depends on a trainable parameter, but the operator has no gradient with respect to it");
                }

                wanted.Add(i);
            }
        }

        var readThroughSubgraphs = node.Subgraphs.Any() && Ir.Graph.ValuesRead(node).Any(active.Contains);
        if (readThroughSubgraphs)
        {
            throw _emit.Fail("its subgraphs read a value that depends on a trainable parameter; gradients through control flow are not supported");
        }

        rule.Emit(new GradientContext(node, _emit, outputGradients, wanted, Accumulate));
        _emit.Node = null;
    }

    private void Accumulate(Value value, Value gradient)
    {
        if (_sums.ContainsKey(value))
        {
            throw new InvalidOperationException($"gradient of '{value.Name}' received a contribution after it was summed; the sweep is out of order");
        }

        if (!_contributions.TryGetValue(value, out var list))
        {
            _contributions[value] = list = [];
        }

        list.Add(gradient);
    }

    /// <summary>The sum of a value's contributions (one Sum node when there are several), or null when it has none.</summary>
    private Value? Total(Value value)
    {
        if (_sums.TryGetValue(value, out var sum))
        {
            return sum;
        }

        if (!_contributions.TryGetValue(value, out var list))
        {
            return null;
        }

        var scope = _emit.Scope;
        _emit.Scope = $"{value.Name}_grad";
        sum = list.Count == 1 ? list[0] : _emit.Op("Sum", list);
        _emit.Scope = scope;
        _sums[value] = sum;
        return sum;
    }

    /// <summary>Values that depend on a parameter through floating-point values (integer results such as Shape carry no gradient).</summary>
    private static HashSet<Value> Active(IReadOnlyList<Node> order, IReadOnlyList<Value> parameters)
    {
        var active = parameters.ToHashSet();
        foreach (var node in order)
        {
            if (!Ir.Graph.ValuesRead(node).Any(active.Contains))
            {
                continue;
            }

            foreach (var output in node.Outputs)
            {
                if (output is not null && (output.TensorType?.ElementType is not { } type || type == DataType.Undefined || DataTypes.IsFloatingPoint(type)))
                {
                    active.Add(output);
                }
            }
        }

        return active;
    }

    /// <summary>Values the loss depends on.</summary>
    private static HashSet<Value> Needed(IReadOnlyList<Node> order, IEnumerable<Value> lossOutputs)
    {
        var needed = lossOutputs.ToHashSet();
        for (var i = order.Count - 1; i >= 0; i--)
        {
            var node = order[i];
            if (node.Outputs.Any(o => o is not null && needed.Contains(o)))
            {
                needed.UnionWith(Ir.Graph.ValuesRead(node));
            }
        }

        return needed;
    }
}
