using EdgeRuntime.Core.Planning;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Graph.Passes.Precision;
using EdgeRuntime.Inference.Planning;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Inference.Tests.Planning;

/// <summary>The static QDQ pass calibrates on inputs, emits what ONNX Runtime turns into QLinearConv, and stays close.</summary>
public sealed class QuantizeQdqStaticTests
{
    [Fact]
    public void Run_ConvReluConv_OnnxRuntimeRunsTheFirstConvAsQLinearConv()
    {
        var model = TinyModels.TwoConvolutions();
        var calibration = Enumerable.Range(0, 8).Select(s => (IReadOnlyDictionary<string, Tensor>)TinyModels.Input(model, s)).ToList();
        var ranges = ActivationCalibration.Ranges(model, QuantizeQdqStatic.CalibrationTargets(model), calibration);

        Assert.True(new QuantizeQdqStatic { Ranges = ranges }.Run(model, new PassContext()));
        Assert.Empty(GraphVerifier.Verify(model));
        var operators = TinyModels.OptimizedOperators(OnnxModelWriter.ToBytes(model), GraphOptimizationLevel.ORT_ENABLE_EXTENDED);

        // The first Conv has quantised input, weights, bias and (after its Relu, which ORT drops) output: QLinearConv.
        // The second's output is the graph's, kept in float: it runs on dequantised inputs.
        Assert.Equal(1, operators.GetValueOrDefault("QLinearConv"));
        Assert.DoesNotContain("Relu", operators.Keys);
    }

    [Fact]
    public void Run_ConvReluConv_OutputsStayWithinInt8Tolerance()
    {
        var original = TinyModels.TwoConvolutions();
        var quantised = TinyModels.TwoConvolutions();
        var samples = Enumerable.Range(0, 8).Select(s => (IReadOnlyDictionary<string, Tensor>)TinyModels.Input(original, s)).ToList();
        var ranges = ActivationCalibration.Ranges(quantised, QuantizeQdqStatic.CalibrationTargets(quantised), samples);
        new QuantizeQdqStatic { Ranges = ranges }.Run(quantised, new PassContext());

        var held = Enumerable.Range(100, 4).Select(s => (IReadOnlyDictionary<string, Tensor>)TinyModels.Input(original, s)).ToList();
        var accuracy = TinyModels.Agreement(original, quantised, held, PlanPrecision.Int8Static, new PlanTolerance());

        Assert.True(accuracy.WithinTolerance, accuracy.Problem);
    }

    [Fact]
    public void Run_OpsetBelowTen_LeavesTheModel()
    {
        var model = TinyModels.TwoConvolutions();
        model.OpsetImports[0] = new OpsetImport(string.Empty, 9);
        var ranges = QuantizeQdqStatic.CalibrationTargets(model).ToDictionary(n => n, _ => (-1f, 1f));

        Assert.False(new QuantizeQdqStatic { Ranges = ranges }.Run(model, new PassContext()));
    }
}
