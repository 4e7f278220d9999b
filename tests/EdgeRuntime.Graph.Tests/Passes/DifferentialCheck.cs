using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Graph.Shapes;
using EdgeRuntime.Inference.Optimization;
using EdgeRuntime.Inference.Runtime;
using EdgeRuntime.Testing.Models;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Graph.Tests.Passes;

/// <summary>
/// Runs passes on a model with the IR verifier after each one, then compares ONNX Runtime on the original
/// file with ONNX Runtime on the rewritten model, on the same inputs.
/// </summary>
internal static class DifferentialCheck
{
    private static readonly SessionSettings Unoptimised = new() { OptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpThreads = 1 };

    public sealed record Outcome(Model Model, OptimizationReport Report, double MaxRelativeError);

    /// <summary>A pass context; <paramref name="freezeInitializerInputs"/> says the deployment never feeds weights the model lists as inputs (as the daemon, and onnx-simplifier, assume).</summary>
    public static PassContext Context(IReadOnlyDictionary<string, long[]>? shapes = null, IReadOnlyList<string>? keep = null, bool freezeInitializerInputs = false) => new()
    {
        Evaluator = new OnnxRuntimeConstantEvaluator(),
        InputShapes = shapes ?? new Dictionary<string, long[]>(),
        KeepOutputs = keep ?? [],
        FreezeInitializerInputs = freezeInitializerInputs,
    };

    /// <summary>Applies <paramref name="passes"/> to the shared model and checks every output within <paramref name="tolerance"/> (relative to the output's largest magnitude).</summary>
    public static Outcome Run(string sharedModel, IEnumerable<GraphPass> passes, double tolerance, PassContext? context = null, Action<Model>? prepare = null)
    {
        var path = SharedModels.Require(sharedModel);
        var original = File.ReadAllBytes(path);
        var model = OnnxModelReader.Read(path);
        if (prepare is not null)
        {
            ShapeInference.Run(model);
            prepare(model);
        }

        var inputs = ModelInputs.For(sharedModel, model);
        var report = new PassManager(passes) { VerifyAfterEachPass = true }.Run(model, context ?? Context());
        var rewritten = OnnxModelWriter.ToBytes(model);

        // A split graph exposes an intermediate value; the reference must expose it too.
        var missing = model.Graph.Outputs.Where(o => OnnxModelReader.Read(original, "original", null).Graph.Outputs.All(x => x.Name != o.Name)).Select(o => o.Name).ToList();
        if (missing.Count > 0)
        {
            var reference = OnnxModelReader.Read(original, "reference", null);
            foreach (var name in missing)
            {
                reference.Graph.AddOutput(reference.Graph.FindValue(name)!);
            }

            original = OnnxModelWriter.ToBytes(reference);
        }

        using var before = ModelSession.Create(original, Unoptimised);
        using var after = ModelSession.Create(rewritten, Unoptimised);
        var feed = inputs.Where(i => after.InputNames.Contains(i.Key)).ToDictionary();
        var expected = before.Run(inputs);
        var actual = after.Run(feed);
        var worst = 0.0;
        foreach (var (name, tensor) in actual)
        {
            Assert.True(expected.ContainsKey(name), $"the rewritten model has an output '{name}' the original lacks");
            worst = Math.Max(worst, Compare(name, expected[name], tensor, tolerance));
        }

        return new Outcome(model, report, worst);
    }

    /// <summary>Largest difference relative to the output's largest magnitude; fails above <paramref name="tolerance"/>.</summary>
    public static double Compare(string name, Tensor expected, Tensor actual, double tolerance)
    {
        Assert.Equal(expected.ElementType, actual.ElementType);
        Assert.Equal(expected.Dims, actual.Dims);
        if (!DataTypes.IsFloatingPoint(expected.ElementType))
        {
            Assert.True(expected.ContentEquals(actual), $"output '{name}' differs");
            return 0;
        }

        var a = expected.ToDoubleArray();
        var b = actual.ToDoubleArray();
        var scale = Math.Max(1e-12, a.Max(Math.Abs));
        var worst = a.Zip(b, (x, y) => Math.Abs(x - y) / scale).DefaultIfEmpty(0).Max();
        Assert.True(worst <= tolerance, $"output '{name}' differs by {worst:E2} relative (tolerance {tolerance:E0})");
        return worst;
    }
}
