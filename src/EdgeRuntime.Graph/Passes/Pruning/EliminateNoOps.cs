using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes.Pruning;

/// <summary>
/// Removes operations that leave their input unchanged.
/// <code>
/// before:  x → Add(0) → Mul(1) → Pad(0,…,0) → Reshape(to x's shape) → Transpose(0,1,2) → Cast(to x's type) → y
/// after:   x → y
/// </code>
/// Exact when the output has the input's shape and type (checked: a broadcast that grows the tensor is not
/// a no-op): adding 0, subtracting 0, multiplying or dividing by 1, padding by nothing, reshaping, expanding
/// or tiling to the same shape, the identity permutation, a cast to the same type, a full-range Slice, a
/// single-input Concat and a single-output Split all copy their input. A node reading a preserved initializer stays:
/// a bias of zeros that is being trained is not a no-op.
/// </summary>
public sealed class EliminateNoOps : GraphPass
{
    public override string Name => "eliminate-no-ops";

    public override PassKind Kind => PassKind.Prune;

    public override OptimizationLevel Level => OptimizationLevel.O1;

    public override bool RewritesInitializers => true;

    public override string Description => "Removes Add 0, Mul 1, Pad 0 and Reshape/Transpose/Cast/Expand/Slice that change nothing.";

    public override bool Run(Model model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        var changed = false;
        foreach (var node in PassHelpers.AllNodes(model))
        {
            if (node.Domain.Length != 0 || node.Outputs.Count != 1 || node.Outputs[0] is not { } output || context.ReadsPreserved(node))
            {
                continue;
            }

            var passThrough = PassThroughInput(node);
            if (passThrough is null || !PassHelpers.SameKnownShape(passThrough, output) ||
                passThrough.TensorType!.ElementType != output.TensorType!.ElementType || !PassHelpers.CanBypass(node, passThrough))
            {
                continue;
            }

            PassHelpers.Bypass(node, passThrough, context);
            changed = true;
        }

        return changed;
    }

    /// <summary>The input the node copies unchanged, when it is a no-op of a kind this pass knows.</summary>
    private static Value? PassThroughInput(Node node)
    {
        var x = node.Input(0);
        switch (node.OpType)
        {
            case "Add":
                return IsConstantFilled(node.Input(1), 0) ? x : IsConstantFilled(x, 0) ? node.Input(1) : null;
            case "Mul":
                return IsConstantFilled(node.Input(1), 1) ? x : IsConstantFilled(x, 1) ? node.Input(1) : null;
            case "Sub":
                return IsConstantFilled(node.Input(1), 0) ? x : null;
            case "Div":
                return IsConstantFilled(node.Input(1), 1) ? x : null;
            case "Pow":
                return IsConstantFilled(node.Input(1), 1) ? x : null;
            case "Pad":
                var pads = node.Inputs.Count > 1 ? PassHelpers.Constant(node.Input(1))?.ToInt64Array() : node.GetInts("pads")?.ToArray();
                return pads is not null && pads.All(p => p == 0) ? x : null;
            case "Transpose":
                var perm = node.GetInts("perm");
                return perm is { } p2 && p2.Select((v, i) => v == i).All(b => b) ? x : null;
            case "Slice":
                var steps = node.Input(4) is { } stepValue ? PassHelpers.Constant(stepValue)?.ToInt64Array() : [];
                return steps is not null && steps.All(s => s == 1) ? x : null;
            case "Reshape" or "Expand" or "Tile" or "Cast" or "Squeeze" or "Unsqueeze" or "Flatten":
                return x;
            case "Concat" when node.Inputs.Count == 1:
                return x;
            case "Split" when node.Outputs.Count == 1:
                return x;
            default:
                return null;
        }
    }

    private static bool IsConstantFilled(Value? value, double scalar)
    {
        if (PassHelpers.Constant(value) is not { } tensor)
        {
            return false;
        }

        var numeric = DataTypes.IsFloatingPoint(tensor.ElementType) || tensor.ElementType is DataType.Int32 or DataType.Int64;
        return numeric && PassHelpers.IsFilledWith(tensor, scalar);
    }
}
