using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Shapes;

namespace EdgeRuntime.Graph.Passes.Folding;

/// <summary>
/// Turns Constant nodes into initializers of the same graph.
/// <code>
/// before:  w = Constant(value=float[16,3,3,3])   y = Conv(x, w)
/// after:   initializer w : float[16,3,3,3]       y = Conv(x, w)
/// </code>
/// Exact: the node's only effect is its attribute's tensor. paddle2onnx and spox write all weights this way;
/// as initializers they become visible to deduplication, folding and fusion.
/// </summary>
public sealed class ConstantsToInitializers : GraphPass
{
    public override string Name => "constants-to-initializers";

    public override PassKind Kind => PassKind.Fold;

    public override OptimizationLevel Level => OptimizationLevel.O1;

    public override string Description => "Turns Constant nodes (paddle2onnx-style weights) into initializers.";

    public override bool Run(Model model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        var changed = false;
        foreach (var node in PassHelpers.AllNodes(model).Where(n => n.Is("Constant")))
        {
            if (ConstantValues.FromConstantNode(node) is not { } tensor || node.Outputs[0] is not { } output)
            {
                continue;
            }

            var graph = node.Owner;
            var initializer = PassHelpers.AddConstant(graph, output.Name, tensor);
            graph.ReplaceAllUses(output, initializer);
            if (!output.IsUsed)
            {
                graph.RemoveNode(node);
                var name = output.Name;
                graph.TryRename(initializer, name);
            }

            changed = true;
        }

        return changed;
    }
}
