using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Graph.Shapes;
using EdgeRuntime.Inference.Optimization;
using EdgeRuntime.Inference.Runtime;
using EdgeRuntime.Inference.Verification;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Graph.Tests.Passes;

/// <summary>Small models built in code for a pass's edge cases, and an ONNX Runtime differential check for them.</summary>
internal static class CodeModels
{
    /// <summary>A model of one graph importing the default opset <paramref name="opset"/>.</summary>
    public static (Model Model, Ir.Graph Graph) New(long opset = 17)
    {
        var graph = new Ir.Graph("test");
        var model = new Model(graph) { IrVersion = 8 };
        model.OpsetImports.Add(new OpsetImport(string.Empty, opset));
        return (model, graph);
    }

    public static Value Input(Ir.Graph graph, string name, params long[] dims) =>
        graph.AddInput(name, new TensorType(DataType.Float, TensorShape.Of(dims)));

    public static Value Floats(Ir.Graph graph, string name, float[] values, params long[] dims) =>
        graph.AddInitializer(name, Tensor.From<float>(values, dims));

    public static float[] Random(int count, int seed = 1)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1))];
    }

    /// <summary>Runs <paramref name="pass"/> once with inference before and the verifier after; returns whether it changed the model.</summary>
    public static bool Apply(Model model, GraphPass pass, PassContext? context = null)
    {
        ShapeInference.Run(model);
        var changed = pass.Run(model, context ?? new PassContext { Evaluator = new OnnxRuntimeConstantEvaluator() });
        GraphVerifier.ThrowIfInvalid(model, $"after {pass.Name}");
        return changed;
    }

    /// <summary>
    /// Applies <paramref name="pass"/> to a copy and checks ONNX Runtime gives the same outputs (within
    /// <paramref name="tolerance"/> relative) before and after on random inputs; returns the rewritten model.
    /// </summary>
    public static Model ApplyAndCompare(Model model, GraphPass pass, double tolerance = 1e-5, PassContext? context = null)
    {
        var before = OnnxModelWriter.ToBytes(model);
        var copy = OnnxModelReader.Read(before, "copy", null);
        Assert.True(Apply(copy, pass, context), $"{pass.Name} did not fire");
        var inputs = InputGenerator.Generate(model, seed: 5);
        var settings = new SessionSettings { OptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var original = ModelSession.Create(before, settings);
        using var rewritten = ModelSession.Create(OnnxModelWriter.ToBytes(copy), settings);
        var expected = original.Run(inputs);
        var actual = rewritten.Run(inputs.Where(i => rewritten.InputNames.Contains(i.Key)).ToDictionary());
        foreach (var (name, tensor) in actual)
        {
            DifferentialCheck.Compare(name, expected[name], tensor, tolerance);
        }

        return copy;
    }
}
