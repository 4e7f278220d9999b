using EdgeRuntime.Core.Planning;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Graph.Passes.Precision;
using EdgeRuntime.Inference.Planning;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Inference.Tests.Planning;

/// <summary>The dynamic int8 pass emits exactly what ONNX Runtime fuses, and stays close to the float model.</summary>
public sealed class QuantizeMatMulDynamicTests
{
    [Fact]
    public void Run_TwoMatMuls_OnnxRuntimeFusesEachIntoDynamicQuantizeMatMul()
    {
        var model = TinyModels.TwoLayerPerceptron();
        Assert.True(new QuantizeMatMulDynamic().Run(model, new PassContext()));
        Assert.Empty(GraphVerifier.Verify(model));

        var operators = TinyModels.OptimizedOperators(OnnxModelWriter.ToBytes(model), GraphOptimizationLevel.ORT_ENABLE_EXTENDED);

        // Both products and the bias Add folded into ORT's fused kernel; nothing of the pattern left over.
        Assert.Equal(2, operators.GetValueOrDefault("DynamicQuantizeMatMul"));
        Assert.DoesNotContain("MatMulInteger", operators.Keys);
        Assert.DoesNotContain("DynamicQuantizeLinear", operators.Keys);
        Assert.DoesNotContain("Add", operators.Keys);
        Assert.DoesNotContain("MatMul", operators.Keys);
    }

    [Fact]
    public void Run_TwoMatMuls_OutputsStayWithinInt8Tolerance()
    {
        var original = TinyModels.TwoLayerPerceptron();
        var quantised = TinyModels.TwoLayerPerceptron();
        new QuantizeMatMulDynamic().Run(quantised, new PassContext());
        var samples = Enumerable.Range(0, 4).Select(s => (IReadOnlyDictionary<string, Tensor>)TinyModels.Input(original, s)).ToList();

        var accuracy = TinyModels.Agreement(original, quantised, samples, PlanPrecision.Int8Dynamic, new PlanTolerance());

        Assert.True(accuracy.WithinTolerance, accuracy.Problem);
        Assert.True(accuracy.MinCosine is > 0.99 and < 1, $"cosine {accuracy.MinCosine}");
    }

    [Fact]
    public void Run_ColumnsOfDifferentRange_QuantisesThatWeightPerChannelOnly()
    {
        var model = TinyModels.TwoLayerPerceptron();
        new QuantizeMatMulDynamic().Run(model, new PassContext());

        var scales = model.Graph.Initializers.Where(i => i.Name.Contains("_Ws", StringComparison.Ordinal)).ToDictionary(i => i.Name, i => i.Initializer!.ElementCount);
        Assert.Equal(96, scales.Single(s => s.Key.StartsWith('h')).Value);
        Assert.Equal(1, scales.Single(s => s.Key.StartsWith('y')).Value);
    }

    [Fact]
    public void Run_ReduceRange_WeightsStayWithinSevenBits()
    {
        var model = TinyModels.TwoLayerPerceptron();
        new QuantizeMatMulDynamic { ReduceRange = true }.Run(model, new PassContext());

        var weights = model.Graph.Initializers.Where(i => i.Name.Contains("_Wq", StringComparison.Ordinal)).SelectMany(i => i.Initializer!.AsSpan<sbyte>().ToArray()).ToList();
        Assert.Equal(63, weights.Max(v => Math.Abs((int)v)));
    }

    [Fact]
    public void Run_OpsetBelowEleven_LeavesTheModel()
    {
        var model = TinyModels.TwoLayerPerceptron();
        model.OpsetImports[0] = new OpsetImport(string.Empty, 9);

        Assert.False(new QuantizeMatMulDynamic().Run(model, new PassContext()));
        Assert.DoesNotContain(model.Graph.Nodes, n => n.Is("DynamicQuantizeLinear"));
    }

    [Fact]
    public void Run_SmallWeight_LeftInFloat()
    {
        var model = TinyModels.TwoLayerPerceptron();
        Assert.False(new QuantizeMatMulDynamic { MinimumElements = 1 << 20 }.Run(model, new PassContext()));
    }
}
