using EdgeRuntime.Graph.Operators;
using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes.Fusion;

/// <summary>
/// Turns a 2-D matrix product followed by a constant bias into one Gemm.
/// <code>
/// before:  y = Add(MatMul(a : [M,K], W : [K,N]), c : [N] or [1,N] or [M,N])
/// after:   y = Gemm(a, W, c)
/// </code>
/// Exact: Gemm computes A·B + C with unidirectional broadcast of C, which is what the Add did. Only rank-2
/// products qualify (Gemm has no batch dimensions) and only floating-point types Gemm accepts. Gemm broadcasts C
/// without a broadcast attribute from its opset 7 definition, so older models are left alone.
/// </summary>
public sealed class FuseMatMulAdd : GraphPass
{
    public override string Name => "fuse-matmul-add";

    public override PassKind Kind => PassKind.Fuse;

    public override OptimizationLevel Level => OptimizationLevel.O2;

    public override string Description => "Turns rank-2 MatMul + constant Add into Gemm.";

    public override bool Run(Model model, PassContext context)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(context);
        if (!OperatorAvailability.CanEmit(model, context, string.Empty, "Gemm", minimumDefinition: 7))
        {
            return false;
        }

        var changed = false;
        foreach (var add in PassHelpers.AllNodes(model).Where(n => n.Is("Add")).ToList())
        {
            if (!add.Owner.Nodes.Contains(add))
            {
                continue;
            }

            for (var side = 0; side < 2; side++)
            {
                if (add.Input(side)?.Producer is not { } matmul || !matmul.Is("MatMul") || matmul.Output.Uses.Count != 1 || matmul.Output.IsGraphOutput)
                {
                    continue;
                }

                var bias = add.Input(1 - side);
                var a = matmul.Input(0)?.TensorType?.Shape;
                var b = matmul.Input(1)?.TensorType?.Shape;
                var c = bias?.TensorType?.Shape;
                var type = matmul.Output.TensorType?.ElementType ?? DataType.Undefined;
                if (a is not { Rank: 2 } || b is not { Rank: 2 } || c is null || c.Rank > 2 || PassHelpers.Constant(bias) is null ||
                    type is not (DataType.Float or DataType.Double or DataType.Float16) || !PassHelpers.SameKnownShape(matmul.Output, add.Output))
                {
                    continue;
                }

                var graph = add.Owner;
                var gemm = graph.AddNode("Gemm", [matmul.Input(0), matmul.Input(1), bias], $"{add.Output.Name}_gemm");
                gemm.Output.Type = add.Output.Type;
                graph.ReplaceAllUses(add.Output, gemm.Output);
                graph.RemoveNode(add);
                graph.RemoveNode(matmul);
                context.Touch(gemm);
                changed = true;
                break;
            }
        }

        return changed;
    }
}
