using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes.Restructuring;

/// <summary>
/// Moves a Transpose below a chain of element-wise unary operators when the chain ends in another
/// Transpose, so the two meet (and fuse-consecutive-transposes composes or cancels them).
/// <code>
/// before:  y = Transpose(Relu(Sigmoid(Transpose(x, p))), p⁻¹)
/// after:   y = Relu(Sigmoid(x))
/// </code>
/// Exact: an element-wise unary operator does the same thing to every element wherever it sits, so it
/// commutes with any permutation of positions.
/// </summary>
public sealed class PushTransposesThroughElementwise : GraphPass
{
    private static readonly HashSet<string> Unary = new(StringComparer.Ordinal)
    {
        "Relu", "Sigmoid", "Tanh", "Exp", "Log", "Sqrt", "Neg", "Abs", "Erf", "Reciprocal", "Floor", "Ceil", "Round", "Sign",
        "Softplus", "Softsign", "HardSigmoid", "HardSwish", "LeakyRelu", "Elu", "Selu", "Celu", "Gelu", "Mish", "Clip", "Cast", "Identity", "Not",
    };

    public override string Name => "push-transposes";

    public override PassKind Kind => PassKind.Restructure;

    public override OptimizationLevel Level => OptimizationLevel.O3;

    public override string Description => "Moves Transposes through element-wise operators so that inverse pairs meet and cancel.";

    public override bool Run(Model model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        var changed = false;
        foreach (var transpose in PassHelpers.AllNodes(model).Where(n => n.Is("Transpose")).ToList())
        {
            if (!transpose.Owner.Nodes.Contains(transpose) || transpose.Input(0) is not { } x)
            {
                continue;
            }

            // Follow single-reader element-wise operators down to the next Transpose.
            var chain = new List<Node>();
            var current = transpose.Output;
            while (current.Uses.Count == 1 && !current.IsGraphOutput && current.Uses[0].Node is { } next && next.Domain.Length == 0 &&
                   Unary.Contains(next.OpType) && next.Outputs.Count == 1 && next.Inputs.Count(i => i is not null) == 1)
            {
                chain.Add(next);
                current = next.Output;
            }

            if (chain.Count == 0 || current.Uses.Count != 1 || current.IsGraphOutput || current.Uses[0].Node is not { } end || !end.Is("Transpose"))
            {
                continue;
            }

            // Rewire: the chain now reads x directly; the first Transpose moves to just before the second.
            chain[0].SetInput(0, x);
            transpose.SetInput(0, chain[^1].Output);
            end.SetInput(0, transpose.Output);
            foreach (var node in chain)
            {
                node.Output.Type = node.Input(0)?.TensorType is { } inType && node.Output.TensorType is { } outType
                    ? new TensorType(outType.ElementType, inType.Shape)
                    : node.Output.Type;
                context.Touch(node);
            }

            context.Touch(transpose);
            changed = true;
        }

        return changed;
    }
}
