using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Shapes;

namespace EdgeRuntime.Graph.Passes.Folding;

/// <summary>
/// Replaces shape arithmetic whose result is known once shapes are known by that result.
/// <code>
/// before:  s = Shape(x : float[1,128,384])   b = Gather(s, 0)   t = Concat(Unsqueeze(b), [128, 12, 32])   Reshape(y, t)
/// after:   Reshape(y, [1, 128, 12, 32])
/// </code>
/// Exact: the values are computed from the shapes alone, which are fixed (after shape specialisation). Values computed
/// from a preserved initializer's content (inference also propagates an Identity of a constant) are left computed.
/// </summary>
public sealed class FoldShapeValues : GraphPass
{
    public override string Name => "fold-shape-values";

    public override PassKind Kind => PassKind.Fold;

    public override OptimizationLevel Level => OptimizationLevel.O1;

    public override bool RewritesInitializers => true;

    public override string Description => "Turns shape computations on known shapes (Shape→Gather→Concat chains) into constants.";

    public override bool Run(Model model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(context);
        var known = ShapeInference.Run(model);
        var derived = context.DerivedFromPreserved(model);
        var changed = false;
        foreach (var (value, tensor) in known)
        {
            if (value.Producer is not { } producer || producer.Is("Constant") || derived.Contains(value) || !value.IsUsed || value.Owner.FindValue(value.Name) != value ||
                (producer.Is("Identity") && value.IsGraphOutput) || (value.IsGraphOutput && value.Owner.Parent is not null))
            {
                continue;
            }

            var graph = value.Owner;
            var constant = PassHelpers.AddConstant(graph, $"{value.Name}_folded", tensor);
            graph.ReplaceAllUses(value, constant);
            context.Touch(producer);
            changed = true;
        }

        return changed;
    }
}
