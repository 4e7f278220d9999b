using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Testing.Models;

namespace EdgeRuntime.Graph.Tests.Passes;

/// <summary>
/// Every pass on a real model where it fires: the passes that expose its pattern run first, then the pass;
/// the IR verifier runs after each; ONNX Runtime on the rewritten model must match ONNX Runtime on the
/// original file.
/// </summary>
public sealed class PassDifferentialTests
{
    private static readonly string[] MiniLmShape = ["input_ids=1x128", "attention_mask=1x128", "token_type_ids=1x128"];

    /// <summary>pass, model, passes to run first, deployment shapes, outputs to keep, converter pattern to add.</summary>
    public static TheoryData<string, string, string[], string[], string[], string> Cases => new()
    {
        { "specialize-shapes", SharedModels.MiniLm, [], MiniLmShape, [], string.Empty },
        { "freeze-initializer-inputs", SharedModels.UltraFace, [], [], [], string.Empty },
        { "constants-to-initializers", SharedModels.PpOcrClassifier, [], ["x=1x3x48x192"], [], string.Empty },
        { "prune-outputs", SharedModels.UltraFace, ["freeze-initializer-inputs"], [], ["scores"], string.Empty },
        { "eliminate-identity", SharedModels.SileroV5, ["constants-to-initializers"], ["input=1x512", "state=2x1x128"], [], string.Empty },
        { "eliminate-no-ops", SharedModels.PpOcrRecogniser, ["specialize-shapes", "constants-to-initializers"], ["x=1x3x48x320"], [], string.Empty },
        { "fold-shape-values", SharedModels.UltraFace, ["freeze-initializer-inputs", "constants-to-initializers"], [], [], string.Empty },
        { "fold-constants", SharedModels.Mnist, ["freeze-initializer-inputs"], [], [], string.Empty },
        { "deduplicate-initializers", SharedModels.MiniLm, ["constants-to-initializers"], [], [], string.Empty },
        { "eliminate-common-subexpressions", SharedModels.MiniLm, ["constants-to-initializers", "deduplicate-initializers"], [], [], string.Empty },
        { "eliminate-dead-nodes", SharedModels.UltraFace, ["freeze-initializer-inputs", "constants-to-initializers", "fold-shape-values"], [], [], string.Empty },
        { "remove-unused-initializers", SharedModels.UltraFace, ["freeze-initializer-inputs", "constants-to-initializers", "fold-shape-values", "eliminate-dead-nodes"], [], [], string.Empty },
        { "remove-unused-inputs", SharedModels.MiniLm, ["prune-outputs", "eliminate-dead-nodes"], [], ["131"], string.Empty },
        { "fuse-conv-batchnorm", SharedModels.UltraFace, ["freeze-initializer-inputs"], [], [], string.Empty },
        { "fuse-conv-gemm-scale-bias", SharedModels.Mnist, ["freeze-initializer-inputs"], [], [], string.Empty },
        { "fuse-matmul-add", SharedModels.Mnist, ["freeze-initializer-inputs"], [], [], string.Empty },
        { "fuse-consecutive-transposes", SharedModels.UltraFace, ["freeze-initializer-inputs", "push-transposes"], [], [], "layout-transposes" },
        { "fuse-consecutive-reshapes", SharedModels.UltraFaceSimplified, ["freeze-initializer-inputs"], [], [], "flatten-before-reshape" },
        { "fuse-layer-normalization", SharedModels.MiniLm, [], [], [], "opset-17" },
        { "fuse-gelu", SharedModels.MiniLm, [], [], [], string.Empty },
        { "push-transposes", SharedModels.UltraFace, ["freeze-initializer-inputs"], [], [], "layout-transposes" },
        { "fuse-attention", SharedModels.MiniLm, ["specialize-shapes", "constants-to-initializers", "fold-shape-values", "fold-constants", "eliminate-dead-nodes"], MiniLmShape, [], string.Empty },
    };

    [Fact]
    public void Cases_CoverEveryPass() =>
        Assert.Equal(OptimizationPresets.All.Select(p => p.Name).Order(StringComparer.Ordinal), Cases.Select(c => c.Data.Item1).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Pass_RealModelWhereItFires_OutputsMatchOnnxRuntimeOnOriginal(string pass, string model, string[] before, string[] shapes, string[] keep, string pattern)
    {
        var passes = before.Select(OptimizationPresets.Named).Append(OptimizationPresets.Named(pass)).ToList();
        // UltraFace (IR 4) lists its weights as inputs; the deployment these rows test never feeds them.
        var context = DifferentialCheck.Context(
            shapes.ToDictionary(s => s[..s.IndexOf('=', StringComparison.Ordinal)], s => s[(s.IndexOf('=', StringComparison.Ordinal) + 1)..].Split('x').Select(long.Parse).ToArray()),
            keep,
            freezeInitializerInputs: pass == "freeze-initializer-inputs" || before.Contains("freeze-initializer-inputs"));
        Action<Model>? prepare = pattern switch
        {
            "layout-transposes" => m => Assert.True(ConverterPatterns.WrapActivationsInLayoutTransposes(m) > 0),
            "flatten-before-reshape" => m => Assert.True(ConverterPatterns.FlattenBeforeReshapes(m) > 0),
            "opset-17" => m => ConverterPatterns.ImportOpset17(m),
            _ => null,
        };

        var outcome = DifferentialCheck.Run(model, passes, tolerance: pass.StartsWith("fuse", StringComparison.Ordinal) ? 1e-4 : 1e-6, context, prepare);

        var report = outcome.Report.Passes.Single(p => p.Pass == pass);
        Assert.True(report.Changes > 0, $"{pass} did not fire on {model}");
        TestContext.Current.TestOutputHelper?.WriteLine($"{pass} on {model}: {report.Before.Nodes} → {report.After.Nodes} nodes, {report.TouchedNodes.Count} nodes touched, max rel error {outcome.MaxRelativeError:E1}");
    }
}
