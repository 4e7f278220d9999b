using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes.Fusion;

/// <summary>
/// Recognises the exact GELU written out with Erf and replaces it with one Gelu operator.
/// <code>
/// before:  y = x · 0.5 · (1 + erf(x / √2))        (any association of the two multiplications)
/// after:   y = Gelu(x)                             com.microsoft.Gelu, or ONNX Gelu from opset 20
/// </code>
/// Exact up to rounding: the definition of GELU. The division by √2 may be written as a multiplication by
/// 1/√2. Without a runtime that has the fused kernel (standard ONNX before opset 20), nothing is changed; nor when a
/// constant of the pattern is a preserved initializer.
/// </summary>
public sealed class FuseGelu : GraphPass
{
    public override string Name => "fuse-gelu";

    public override PassKind Kind => PassKind.Fuse;

    public override OptimizationLevel Level => OptimizationLevel.O2;

    public override bool RewritesInitializers => true;

    public override string Description => "Replaces x·0.5·(1 + erf(x/√2)) with Gelu.";

    public override bool Run(Model model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(context);
        var standard = model.OpsetVersion() >= 20;
        if (!standard && !context.Target.SupportsMicrosoftContribOps)
        {
            return false;
        }

        var changed = false;
        foreach (var erf in PassHelpers.AllNodes(model).Where(n => n.Is("Erf")).ToList())
        {
            if (erf.Owner.Nodes.Contains(erf) && TryFuse(model, erf, standard, context))
            {
                changed = true;
            }
        }

        return changed;
    }

    private static bool TryFuse(Model model, Node erf, bool standard, PassContext context)
    {
        var scaleIn = erf.Input(0)?.Producer;
        Value? x = null;
        if (scaleIn is not null && scaleIn.Is("Div") && Patterns.Near(Patterns.Scalar(scaleIn.Input(1)), Math.Sqrt(2)))
        {
            x = scaleIn.Input(0);
        }
        else if (scaleIn is not null && scaleIn.Is("Mul"))
        {
            x = Patterns.Near(Patterns.Scalar(scaleIn.Input(1)), 1 / Math.Sqrt(2)) ? scaleIn.Input(0)
                : Patterns.Near(Patterns.Scalar(scaleIn.Input(0)), 1 / Math.Sqrt(2)) ? scaleIn.Input(1) : null;
        }

        if (x is null || scaleIn is null || erf.Output.Uses.Count != 1 || erf.Output.IsGraphOutput)
        {
            return false;
        }

        var plusOne = erf.Output.Uses[0].Node;
        if (!plusOne.Is("Add") || !Patterns.Near(Patterns.Scalar(Patterns.Other(plusOne, erf.Output)), 1) || plusOne.Output.Uses.Count != 1 || plusOne.Output.IsGraphOutput)
        {
            return false;
        }

        // Three associations: (x·(1+erf))·0.5, x·((1+erf)·0.5), and (0.5·x)·(1+erf).
        var first = plusOne.Output.Uses[0].Node;
        if (!first.Is("Mul") || Patterns.Other(first, plusOne.Output) is not { } other)
        {
            return false;
        }

        Node result;
        Node? halver = null;
        if (other == x || Patterns.Near(Patterns.Scalar(other), 0.5))
        {
            if (first.Output.Uses.Count != 1 || first.Output.IsGraphOutput || first.Output.Uses[0].Node is not { } second || !second.Is("Mul"))
            {
                return false;
            }

            var remaining = Patterns.Other(second, first.Output);
            var completes = other == x ? Patterns.Near(Patterns.Scalar(remaining), 0.5) : remaining == x;
            if (!completes)
            {
                return false;
            }

            result = second;
        }
        else if (other.Producer is { } half && half.Is("Mul") && half.Output.Uses.Count == 1 &&
                 ((half.Input(0) == x && Patterns.Near(Patterns.Scalar(half.Input(1)), 0.5)) || (half.Input(1) == x && Patterns.Near(Patterns.Scalar(half.Input(0)), 0.5))))
        {
            result = first;
            halver = half;
        }
        else
        {
            return false;
        }

        if (!Patterns.OnlyReadBy(scaleIn.Output, erf) || context.ReadsPreserved(result, first, halver, plusOne, erf, scaleIn))
        {
            return false;
        }

        var graph = erf.Owner;
        var domain = standard ? string.Empty : "com.microsoft";
        if (!standard)
        {
            model.EnsureOpset("com.microsoft", 1);
        }

        var gelu = graph.AddNode("Gelu", [x], $"{result.Output.Name}_gelu", domain);
        gelu.Output.Type = result.Output.Type;
        graph.ReplaceAllUses(result.Output, gelu.Output);
        foreach (var node in new[] { result, first, halver, plusOne, erf, scaleIn }.OfType<Node>().Distinct())
        {
            if (graph.Nodes.Contains(node) && node.Outputs.All(o => o is null || !o.IsUsed))
            {
                graph.RemoveNode(node);
            }
        }

        context.Touch(gelu);
        return true;
    }
}
