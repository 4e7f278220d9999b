using EdgeRuntime.Core.Planning;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Inference.Planning;
using EdgeRuntime.Inference.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Inference.Tests.Planning;

/// <summary>Small real models for the precision passes, and what ONNX Runtime makes of a model.</summary>
internal static class TinyModels
{
    /// <summary>
    /// x [1, 8, 64] → MatMul W1 [64, 96] → Add(b1, ·) (bias first, as PyTorch exports it) → Relu → MatMul W2 [96, 64] → y.
    /// A quarter of W1's columns span ±1, the rest ±0.01: per-channel quantisation cuts its squared error to about a quarter there.
    /// </summary>
    public static Model TwoLayerPerceptron(int seed = 3)
    {
        var random = new Random(seed);
        var graph = new Graph.Ir.Graph("mlp");
        var model = new Model(graph) { IrVersion = 8 };
        model.OpsetImports.Add(new OpsetImport(string.Empty, 17));
        var x = graph.AddInput("x", new TensorType(DataType.Float, TensorShape.Of(1, 8, 64)));
        var w1 = graph.AddInitializer("W1", Tensor.From<float>(Values(64 * 96, random, column => column < 24 ? 1f : 0.01f, 96), 64, 96));
        var b1 = graph.AddInitializer("b1", Tensor.From<float>(Values(96, random, _ => 0.1f, 96), 96));
        var w2 = graph.AddInitializer("W2", Tensor.From<float>(Values(96 * 64, random, _ => 0.2f, 64), 96, 64));
        var h = graph.AddNode("MatMul", [x, w1], "h").Output;
        h.Type = new TensorType(DataType.Float, TensorShape.Of(1, 8, 96));
        var biased = graph.AddNode("Add", [b1, h], "biased").Output;
        biased.Type = h.Type;
        var relu = graph.AddNode("Relu", [biased], "relu").Output;
        relu.Type = h.Type;
        var y = graph.AddNode("MatMul", [relu, w2], ["y"]).Output;
        y.Type = new TensorType(DataType.Float, TensorShape.Of(1, 8, 64));
        graph.AddOutput(y);
        return model;
    }

    /// <summary>x [1, 3, 16, 16] → Conv 8×3×3×3 + bias → Relu → Conv 8×8×3×3 + bias → y (opset 13: per-channel QDQ).</summary>
    public static Model TwoConvolutions(int seed = 5)
    {
        var random = new Random(seed);
        var graph = new Graph.Ir.Graph("convs");
        var model = new Model(graph) { IrVersion = 8 };
        model.OpsetImports.Add(new OpsetImport(string.Empty, 13));
        var x = graph.AddInput("x", new TensorType(DataType.Float, TensorShape.Of(1, 3, 16, 16)));
        var pads = Graph.Ir.Attribute.FromInts("pads", [1, 1, 1, 1]);
        var w1 = graph.AddInitializer("W1", Tensor.From<float>(Values(8 * 3 * 9, random, _ => 0.3f, 1), 8, 3, 3, 3));
        var b1 = graph.AddInitializer("B1", Tensor.From<float>(Values(8, random, _ => 0.1f, 1), 8));
        var w2 = graph.AddInitializer("W2", Tensor.From<float>(Values(8 * 8 * 9, random, _ => 0.2f, 1), 8, 8, 3, 3));
        var b2 = graph.AddInitializer("B2", Tensor.From<float>(Values(8, random, _ => 0.1f, 1), 8));
        var c1 = graph.AddNode("Conv", [x, w1, b1], "c1", attributes: [pads]).Output;
        c1.Type = new TensorType(DataType.Float, TensorShape.Of(1, 8, 16, 16));
        var r1 = graph.AddNode("Relu", [c1], "r1").Output;
        r1.Type = c1.Type;
        var y = graph.AddNode("Conv", [r1, w2, b2], ["y"], attributes: [pads]).Output;
        y.Type = c1.Type;
        graph.AddOutput(y);
        return model;
    }

    /// <summary>Random inputs of a model's first input, uniform in [-1, 1).</summary>
    public static Dictionary<string, Tensor> Input(Model model, int seed)
    {
        var input = model.Graph.Inputs[0];
        var dims = input.TensorType!.Shape!.ToArray();
        var random = new Random(seed);
        var count = (int)dims.Aggregate(1L, (a, b) => a * b);
        return new Dictionary<string, Tensor>(StringComparer.Ordinal) { [input.Name] = Tensor.From<float>([.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1))], dims) };
    }

    /// <summary>
    /// Runs <paramref name="original"/> and <paramref name="candidate"/> in ONNX Runtime on the same
    /// <paramref name="feeds"/> and compares their outputs as the plan search does.
    /// </summary>
    public static AccuracyResult Agreement(Model original, Model candidate, IEnumerable<IReadOnlyDictionary<string, Tensor>> feeds, PlanPrecision precision, PlanTolerance tolerance)
    {
        using var reference = ModelSession.Create(OnnxModelWriter.ToBytes(original));
        using var tested = ModelSession.Create(OnnxModelWriter.ToBytes(candidate));
        var inputs = feeds.ToList();
        return AccuracyCheck.Compare(
            [.. inputs.Select(s => (IReadOnlyDictionary<string, Tensor>)reference.Run(s))],
            [.. inputs.Select(s => (IReadOnlyDictionary<string, Tensor>)tested.Run(s))],
            precision,
            tolerance);
    }

    /// <summary>
    /// The operator types of the model ONNX Runtime runs after its own graph optimisations at <paramref name="level"/>
    /// (written with SessionOptions.OptimizedModelFilePath and read back), with their counts.
    /// </summary>
    public static Dictionary<string, int> OptimizedOperators(byte[] model, GraphOptimizationLevel level)
    {
        var path = Path.Combine(Path.GetTempPath(), $"edge-ort-optimized-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var options = new SessionOptions { GraphOptimizationLevel = level, OptimizedModelFilePath = path, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR })
            using (new InferenceSession(model, options))
            {
            }

            return OnnxModelReader.Read(path).Graph.Nodes.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static float[] Values(int count, Random random, Func<int, float> amplitude, int columns) =>
        [.. Enumerable.Range(0, count).Select(i => (float)((random.NextDouble() * 2) - 1) * amplitude(i % columns))];
}
