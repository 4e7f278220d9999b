using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes.Pruning;

/// <summary>
/// Removes Identity nodes, and Dropout nodes in inference mode whose mask nobody reads.
/// <code>
/// before:  a → Identity → b → Relu          a → Dropout(ratio=0.1) → b → Relu
/// after:   a → Relu                         a → Relu
/// </code>
/// Exact: Identity copies its input; Dropout is the identity at inference (training_mode absent or false).
/// An Identity that only carries a graph output's name is kept (see <see cref="PassHelpers.CanBypass"/>).
/// </summary>
public sealed class EliminateIdentity : GraphPass
{
    public override string Name => "eliminate-identity";

    public override PassKind Kind => PassKind.Prune;

    public override OptimizationLevel Level => OptimizationLevel.O1;

    public override string Description => "Removes Identity, and Dropout at inference.";

    public override bool Run(Model model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        var changed = false;
        foreach (var node in PassHelpers.AllNodes(model))
        {
            if (node.Input(0) is not { } input || node.Outputs.Count == 0 || node.Outputs[0] is null)
            {
                continue;
            }

            var removable = node.Is("Identity") || (node.Is("Dropout") && IsInferenceDropout(node));
            if (removable && PassHelpers.CanBypass(node, input))
            {
                PassHelpers.Bypass(node, input, context);
                changed = true;
            }
        }

        return changed;
    }

    private static bool IsInferenceDropout(Node node) =>
        !node.Outputs.Skip(1).Any(o => o is { IsUsed: true }) && OperatorPurity.IsInferenceDropout(node);
}
