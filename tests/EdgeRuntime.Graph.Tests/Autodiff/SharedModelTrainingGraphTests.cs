using EdgeRuntime.Graph.Autodiff;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Graph.Passes.Folding;
using EdgeRuntime.Inference.Runtime;
using EdgeRuntime.Testing.Models;

namespace EdgeRuntime.Graph.Tests.Autodiff;

/// <summary>
/// Training graphs of real models from ../shared/models against finite differences. ONNX Runtime runs the training
/// graph in float32 with its full graph optimisation, as a device would; the finite differences are of the C# float64
/// reference evaluator on the same float32 weights and inputs. Tolerance 1e-4 of each parameter's largest gradient:
/// the float32 passes through the convolutions left errors of 3e-7 (MNIST) and 1.5e-6 (PP-OCR) when measured, while a
/// wrong rule is off by O(1).
/// </summary>
public sealed class SharedModelTrainingGraphTests
{
    private static readonly SessionSettings Production = new() { IntraOpThreads = 1 };

    [Fact]
    public void Build_MnistEveryParameterCrossEntropy_MatchesFiniteDifferences()
    {
        var model = OnnxModelReader.Read(SharedModels.Require(SharedModels.Mnist));

        var report = GradientCheck.Run(model, new()
        {
            Reference = Reference.CSharp,
            Tolerance = 1e-4,
            LossTolerance = 1e-5,
            MaxCoordinates = 12,
            TrainingSession = Production,
            Losses = [new(LossKind.SoftmaxCrossEntropy, "Plus214_Output_0", "digit")],
            Trainable = ["Parameter5", "Parameter6", "Parameter87", "Parameter88", "Parameter193", "Parameter194"],
        });

        Assert.Equal(6, report.Graph.ParameterInputs.Count);
    }

    [Fact]
    public void Build_PpOcrClassifierDefaultHead_MatchesFiniteDifferences()
    {
        var model = OnnxModelReader.Read(SharedModels.Require(SharedModels.PpOcrClassifier));
        new ConstantsToInitializers().Run(model, new());
        var trainable = TrainableSelection.DefaultHead(model);

        // The gradient of every one of the 55 parameters is computed and shape-checked; finite differences for the head,
        // batch norms at the start and middle of the network and a squeeze-and-excitation bias (each reference
        // pass is a full float64 forward pass in C#, so the image is 48×64 rather than the deployed 48×192; the height must stay 48,
        // which the network reduces to 1).
        var report = GradientCheck.Run(model, new()
        {
            Reference = Reference.CSharp,
            Tolerance = 1e-4,
            LossTolerance = 1e-5,
            MaxCoordinates = 2,
            TrainingSession = Production,
            Losses = [new(LossKind.SoftmaxCrossEntropy, "p2o.Add.87", "orientation")],
            Trainable = trainable,
            Check = ["fc_0.w_0", "batch_norm_0.b_0", "batch_norm_17.b_0", "conv2d_30.b_0"],
            InputShapes = new Dictionary<string, long[]> { ["x"] = [1, 3, 48, 64] },
        });

        Assert.Equal(55, report.Graph.ParameterInputs.Count);
    }
}
