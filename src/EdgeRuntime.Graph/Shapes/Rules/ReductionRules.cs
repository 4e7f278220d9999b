using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Shapes.Rules;

/// <summary>Reduce* operators: axes from the attribute or (newer opsets) the second input; keepdims.</summary>
internal static class ReductionRules
{
    private static readonly string[] Reductions =
        ["ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"];

    public static void Register(Dictionary<string, ShapeInference.Rule> rules)
    {
        foreach (var op in Reductions)
        {
            // ReduceSum takes axes as an input from opset 13, the others from opset 18.
            var axesInputFrom = op == "ReduceSum" ? 13 : 18;
            rules[op] = c =>
            {
                if (c.Shape(0) is not { } x)
                {
                    return [new TensorType(c.ElementType(0), null)];
                }

                var axes = c.Opset >= axesInputFrom ? (c.InputCount > 1 && c.Node.Input(1) is not null ? c.ConstantInts(1) : []) : c.Ints("axes");
                if (axes is null)
                {
                    return [new TensorType(c.ElementType(0), null)];
                }

                var keep = c.Int("keepdims", 1) != 0;
                var all = axes.Length == 0 && c.Int("noop_with_empty_axes", 0) == 0;
                if (axes.Length == 0 && !all)
                {
                    return [c.Type(0)];
                }

                var reduced = all ? [.. Enumerable.Range(0, x.Rank)] : axes.Select(a => Dims.Axis(a, x.Rank)).ToHashSet();
                var dims = new List<Dim>();
                for (var i = 0; i < x.Rank; i++)
                {
                    if (!reduced.Contains(i))
                    {
                        dims.Add(x.Dims[i]);
                    }
                    else if (keep)
                    {
                        dims.Add(Dim.Known(1));
                    }
                }

                return [new TensorType(c.ElementType(0), new TensorShape(dims))];
            };
        }
    }
}
