using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Graph.Shapes;
using EdgeRuntime.Inference.Runtime;
using Microsoft.ML.OnnxRuntime;
using IrGraph = EdgeRuntime.Graph.Ir.Graph;

namespace EdgeRuntime.Inference.Optimization;

/// <summary>
/// Evaluates constant subgraphs with ONNX Runtime itself: the nodes are copied into a small model whose
/// inputs are their constants, and ONNX Runtime (unoptimised, one thread) computes the outputs. Folding
/// therefore has exactly the semantics the model will have at run time, for every operator ONNX Runtime has.
/// </summary>
public sealed class OnnxRuntimeConstantEvaluator : IConstantEvaluator
{
    private static readonly SessionSettings Settings = new() { OptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpThreads = 1 };

    /// <inheritdoc />
    public IReadOnlyDictionary<Value, Tensor>? Evaluate(Model model, IReadOnlyList<Node> nodes, IReadOnlyList<Value> outputs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(outputs);
        var graph = new IrGraph("constant_subgraph");
        var subset = new Model(graph) { IrVersion = Math.Max(model.IrVersion, 4) };
        subset.OpsetImports.AddRange(model.OpsetImports);

        var copies = new Dictionary<Value, Value>();
        Value Map(Value value)
        {
            if (copies.TryGetValue(value, out var copy))
            {
                return copy;
            }

            var constant = ConstantValues.Of(value) ?? throw new InvalidOperationException($"'{value.Name}' is not constant");
            copy = graph.AddInitializer(value.Name, constant);
            copies[value] = copy;
            return copy;
        }

        foreach (var node in nodes)
        {
            var inputs = node.Inputs.Select(i => i is null ? null : Map(i)).ToList();
            var copy = graph.AddNode(node.OpType, inputs, node.Outputs.Select(o => o?.Name), node.Domain, node.Name, node.Attributes);
            for (var i = 0; i < node.Outputs.Count; i++)
            {
                if (node.Outputs[i] is { } original)
                {
                    copies[original] = copy.Outputs[i]!;
                    copy.Outputs[i]!.Type = original.Type;
                }
            }
        }

        foreach (var output in outputs)
        {
            graph.AddOutput(copies[output]);
        }

        try
        {
            using var session = ModelSession.Create(OnnxModelWriter.ToBytes(subset), Settings);
            var results = session.Run(new Dictionary<string, Tensor>());
            return outputs.ToDictionary(o => o, o => results[copies[o].Name]);
        }
        catch (OnnxRuntimeException)
        {
            return null;
        }
    }
}
