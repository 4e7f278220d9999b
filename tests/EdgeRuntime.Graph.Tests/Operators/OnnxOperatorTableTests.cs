using EdgeRuntime.Graph.Operators;
using EdgeRuntime.Graph.Passes;
using static EdgeRuntime.Graph.Tests.Passes.CodeModels;

namespace EdgeRuntime.Graph.Tests.Operators;

public sealed class OnnxOperatorTableTests
{
    [Theory]
    [InlineData("", "LayerNormalization", 13, false)]
    [InlineData("", "LayerNormalization", 17, true)]
    [InlineData("ai.onnx", "Gelu", 19, false)]
    [InlineData("", "Gelu", 20, true)]
    [InlineData("", "Upsample", 9, true)]
    [InlineData("", "Upsample", 10, false)]
    [InlineData("", "Relu", 1, true)]
    [InlineData("", "NoSuchOperator", 21, false)]
    [InlineData("ai.onnx.ml", "TreeEnsemble", 5, true)]
    public void Exists_OperatorAtOpset_AsOnnxDefinesIt(string domain, string op, long opset, bool exists) =>
        Assert.Equal(exists, OnnxOperatorTable.Exists(domain, op, opset));

    [Fact]
    public void DefinitionAt_Gemm_TheVersionInEffect() =>
        Assert.Equal(13, OnnxOperatorTable.DefinitionAt(string.Empty, "Gemm", 17));

    [Fact]
    public void CanEmit_LayerNormalizationIntoOpset13Model_No()
    {
        var (model, _) = New(opset: 13);
        Assert.False(OperatorAvailability.CanEmit(model, new PassContext(), string.Empty, "LayerNormalization"));
        Assert.True(OperatorAvailability.CanEmit(New(opset: 17).Model, new PassContext(), string.Empty, "LayerNormalization"));
    }

    [Fact]
    public void CanEmit_MicrosoftAttention_OnlyForRuntimesWithContribKernels()
    {
        var (model, _) = New();
        Assert.True(OperatorAvailability.CanEmit(model, new PassContext { Target = OptimizationTarget.OnnxRuntimeCpu }, "com.microsoft", "Attention"));
        Assert.False(OperatorAvailability.CanEmit(model, new PassContext { Target = OptimizationTarget.StandardOnnx }, "com.microsoft", "Attention"));
    }

    [Fact]
    public void CanEmit_GemmBeforeOpset7_NoBecauseItsBiasNeededABroadcastAttribute() =>
        Assert.False(OperatorAvailability.CanEmit(New(opset: 6).Model, new PassContext(), string.Empty, "Gemm", minimumDefinition: 7));
}
