using EdgeRuntime.Graph.Autodiff;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Graph.Passes.Folding;
using EdgeRuntime.Testing.Models;

namespace EdgeRuntime.Graph.Tests.Autodiff;

/// <summary>The default trainable part (head plus biases) and the check of configured lists.</summary>
public sealed class TrainableSelectionTests
{
    [Fact]
    public void DefaultHead_CodeModel_HeadWeightsAndEveryBiasInInitializerOrder()
    {
        var model = new TestModel(17, DataType.Float);
        var image = model.Input("image", 1, 2, 4, 4);
        var conv = model.Op("Conv", [image, model.Param("conv_w", [3, 2, 3, 3]), model.Param("conv_b", [3])]);
        var bn = model.Op("BatchNormalization", [conv, model.Param("bn_scale", [3]), model.Param("bn_beta", [3]), model.Param("bn_mean", [3]), model.Param("bn_var", [3], 0.5, 1)]);
        var flat = model.Op("Flatten", [bn]);
        var hidden = model.Op("Add", [model.Op("MatMul", [flat, model.Param("fc1_w", [48, 8])]), model.Param("fc1_b", [8])]);
        var norm = model.Op("LayerNormalization", [hidden, model.Param("ln_scale", [8]), model.Param("ln_bias", [8])]);
        var head = model.Op("Gemm", [norm, model.Param("head_w", [2, 8]), model.Param("head_c", [2])], TestModel.Int("transB", 1));
        model.Output(model.Op("Softmax", [head]));

        var chosen = TrainableSelection.DefaultHead(model.Model);

        Assert.Equal(["conv_b", "bn_beta", "fc1_b", "ln_bias", "head_w", "head_c"], chosen);
    }

    [Fact]
    public void DefaultHead_Mnist_HeadThroughReshapeAndConvolutionBiases()
    {
        var model = OnnxModelReader.Read(SharedModels.Require(SharedModels.Mnist));

        var chosen = TrainableSelection.DefaultHead(model);

        // Parameter193 reaches the MatMul through a Reshape; Parameter6/88 ([C,1,1]) are added to Conv outputs.
        Assert.Equal(["Parameter6", "Parameter88", "Parameter193", "Parameter194"], chosen);
    }

    [Fact]
    public void DefaultHead_PpOcrClassifierWithInitializers_FullyConnectedHeadBatchNormBetasAndConvolutionBiases()
    {
        var model = OnnxModelReader.Read(SharedModels.Require(SharedModels.PpOcrClassifier));
        new ConstantsToInitializers().Run(model, new());

        var chosen = TrainableSelection.DefaultHead(model);

        Assert.Contains("fc_0.w_0", chosen);
        Assert.Contains("fc_0.b_0", chosen);
        Assert.Equal(35, chosen.Count(n => n.StartsWith("batch_norm_", StringComparison.Ordinal) && n.EndsWith(".b_0", StringComparison.Ordinal)));

        // The squeeze-and-excitation blocks' 1×1 convolutions carry biases; the other convolutions feed a BatchNormalization.
        Assert.Equal(18, chosen.Count(n => n.StartsWith("conv2d_", StringComparison.Ordinal) && n.EndsWith(".b_0", StringComparison.Ordinal)));
        Assert.Equal(55, chosen.Count);
    }

    [Fact]
    public void Named_ValidList_InitializerOrderWithoutRepeats()
    {
        var (model, _) = TrainingGraphBuilderTests.SmallClassifier();

        Assert.Equal(["conv_b", "head_w"], TrainableSelection.Named(model.Model, ["head_w", "conv_b", "head_w"]));
    }

    [Theory]
    [InlineData("nothing", "trainable 'nothing': the model's main graph has no initializer of that name")]
    [InlineData("image", "trainable 'image': it is a graph input, not an initializer")]
    [InlineData("scores", "trainable 'scores': it is computed by node 'head_matmul' (MatMul), not an initializer")]
    [InlineData("ids", "trainable 'ids': it is a int64 initializer; only floating-point initializers can be trained")]
    public void Named_NotAFloatInitializer_FailsWithOneLine(string name, string expected)
    {
        var (model, _) = TrainingGraphBuilderTests.SmallClassifier();
        model.Ints("ids", [1, 2], 2);

        var error = Assert.Throws<TrainingGraphException>(() => TrainableSelection.Named(model.Model, [name]));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void Named_WeightInAConstantNode_SaysToConvertIt()
    {
        var model = OnnxModelReader.Read(SharedModels.Require(SharedModels.PpOcrClassifier));

        var error = Assert.Throws<TrainingGraphException>(() => TrainableSelection.Named(model, ["fc_0.w_0"]));

        Assert.Equal("trainable 'fc_0.w_0': it is the output of a Constant node, not an initializer (run the constants-to-initializers pass first)", error.Message);
    }
}
