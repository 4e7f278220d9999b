using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Tests.Passes;

/// <summary>
/// Exact rewrites that give a real model the shapes converters emit (tf2onnx's layout transposes around
/// element-wise activations, Flatten before Reshape). The shared models carry no such patterns, so the passes
/// that remove them are tested on a real model rewritten this way.
/// </summary>
internal static class ConverterPatterns
{
    /// <summary>x → Relu becomes x → Transpose(NCHW→NHWC) → Relu → Transpose(NHWC→NCHW), for every 4-D Relu.</summary>
    public static int WrapActivationsInLayoutTransposes(Model model)
    {
        var count = 0;
        foreach (var relu in model.Graph.Nodes.Where(n => n.Is("Relu") && n.Input(0)?.TensorType?.Shape?.Rank == 4).ToList())
        {
            var graph = relu.Owner;
            var toNhwc = graph.AddNode("Transpose", [relu.Input(0)], attributes: [Ir.Attribute.FromInts("perm", [0, 2, 3, 1])]);
            relu.SetInput(0, toNhwc.Output);
            var toNchw = graph.AddNode("Transpose", [relu.Output], attributes: [Ir.Attribute.FromInts("perm", [0, 3, 1, 2])]);
            foreach (var use in relu.Output.Uses.Where(u => u.Node != toNchw).ToList())
            {
                use.Node.SetInput(use.InputIndex, toNchw.Output);
            }

            count++;
        }

        return count;
    }

    /// <summary>Reshape(x, s) becomes Reshape(Flatten(x, axis=1), s), for every Reshape with a constant target.</summary>
    public static int FlattenBeforeReshapes(Model model)
    {
        var count = 0;
        foreach (var reshape in model.Graph.Nodes.Where(n => n.Is("Reshape") && n.Input(1)?.Initializer is { } target && !target.ToInt64Array().Contains(0)).ToList())
        {
            var flatten = reshape.Owner.AddNode("Flatten", [reshape.Input(0)], attributes: [Ir.Attribute.FromInt("axis", 1)]);
            reshape.SetInput(0, flatten.Output);
            count++;
        }

        return count;
    }

    /// <summary>
    /// The model as exported at opset 17, the first with LayerNormalization. Exact for MiniLM: none of its operators
    /// (Add, Cast, Concat, Constant, Div, Erf, Gather, Gemm, MatMul, Mul, Pow, ReduceMean with its axes attribute,
    /// Reshape, Shape, Slice, Softmax, Sqrt, Sub, Tanh, Transpose, Unsqueeze) changed meaning between opsets 13 and 17
    /// (14 and 15 only added types, Reshape's allowzero and Shape's start/end, whose defaults are the old behaviour).
    /// </summary>
    public static void ImportOpset17(Model model)
    {
        var old = model.OpsetImports.Single(o => o.Domain.Length == 0);
        model.OpsetImports[model.OpsetImports.IndexOf(old)] = old with { Version = 17 };
    }
}
