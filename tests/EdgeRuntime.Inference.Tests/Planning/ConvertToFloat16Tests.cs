using EdgeRuntime.Core.Planning;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Graph.Passes.Precision;
using EdgeRuntime.Inference.Planning;

namespace EdgeRuntime.Inference.Tests.Planning;

/// <summary>The float16 pass keeps the interface and sensitive operators in float32; its results stay within float16's reach.</summary>
public sealed class ConvertToFloat16Tests
{
    [Fact]
    public void Run_PerceptronWithSoftmax_InterfaceFloat32SoftmaxFloat32RestFloat16()
    {
        var model = WithSoftmax(TinyModels.TwoLayerPerceptron());

        Assert.True(new ConvertToFloat16().Run(model, new PassContext()));
        Assert.Empty(GraphVerifier.Verify(model));
        Assert.Equal(DataType.Float, model.Graph.Inputs[0].TensorType!.ElementType);
        Assert.Equal(DataType.Float, model.Graph.Outputs[0].TensorType!.ElementType);
        Assert.Equal("probabilities", model.Graph.Outputs[0].Name);
        var softmax = model.Graph.Nodes.Single(n => n.Is("Softmax"));
        Assert.Equal(DataType.Float, softmax.Input(0)!.TensorType!.ElementType);
        Assert.All(model.Graph.Nodes.Where(n => n.Is("MatMul")), n => Assert.Equal(DataType.Float16, n.Input(1)!.Initializer!.ElementType));
    }

    [Fact]
    public void Run_PerceptronWithSoftmax_OnnxRuntimeResultsWithinFloat16Rounding()
    {
        var original = WithSoftmax(TinyModels.TwoLayerPerceptron());
        var half = WithSoftmax(TinyModels.TwoLayerPerceptron());
        new ConvertToFloat16().Run(half, new PassContext());
        var samples = Enumerable.Range(0, 3).Select(s => (IReadOnlyDictionary<string, Tensor>)TinyModels.Input(original, s)).ToList();

        // ONNX Runtime's CPU provider runs float16 MatMul/Add/Relu (slowly, in float): enough to check the numbers.
        var accuracy = TinyModels.Agreement(original, half, samples, PlanPrecision.Fp16, new PlanTolerance { MinimumCosine = 0.999, MaximumRelativeError = 0.02 });

        Assert.True(accuracy.WithinTolerance, accuracy.Problem);
    }

    private static Model WithSoftmax(Model model)
    {
        var graph = model.Graph;
        var logits = graph.Outputs[0];
        graph.RemoveOutput(logits);
        var probabilities = graph.AddNode("Softmax", [logits], ["probabilities"], attributes: [Graph.Ir.Attribute.FromInt("axis", -1)]).Output;
        probabilities.Type = logits.Type;
        graph.AddOutput(probabilities);
        return model;
    }
}
