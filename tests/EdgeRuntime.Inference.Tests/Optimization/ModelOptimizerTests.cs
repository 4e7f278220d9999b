using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Inference.Optimization;
using EdgeRuntime.Inference.Verification;
using EdgeRuntime.Testing.Models;

namespace EdgeRuntime.Inference.Tests.Optimization;

public sealed class ModelOptimizerTests
{
    /// <summary>A wrong "optimisation": doubles the weights of the first Conv it finds.</summary>
    private sealed class DoubleFirstConvWeights : GraphPass
    {
        public override string Name => "test-double-conv-weights";

        public override PassKind Kind => PassKind.Fuse;

        public override OptimizationLevel Level => OptimizationLevel.O1;

        public override string Description => "Deliberately wrong, for tests.";

        public override bool Run(Model model, PassContext context)
        {
            var conv = model.Graph.Nodes.FirstOrDefault(n => n.Is("Conv") && n.Input(1) is { IsConstant: true } w && !w.Name.EndsWith("_doubled", StringComparison.Ordinal));
            if (conv is null)
            {
                return false;
            }

            var weight = conv.Input(1)!.Initializer!;
            var doubled = Tensor.From<float>([.. weight.AsSpan<float>().ToArray().Select(v => v * 2)], [.. weight.Dims]);
            conv.SetInput(1, model.Graph.AddInitializer(model.Graph.UniqueName($"{conv.Input(1)!.Name}_doubled"), doubled));
            context.Touch(conv);
            return true;
        }
    }

    /// <summary>A pass with a bug: throws.</summary>
    private sealed class Throwing : GraphPass
    {
        public override string Name => "test-throwing";

        public override PassKind Kind => PassKind.Prune;

        public override OptimizationLevel Level => OptimizationLevel.O1;

        public override string Description => "Throws, for tests.";

        public override bool Run(Model model, PassContext context) => throw new InvalidOperationException("index out of range in a test pass");
    }

    [Fact]
    public void Optimize_MiniLmAtO3WithShape_VerifiedWithFusedAttention()
    {
        var path = SharedModels.Require(SharedModels.MiniLm);
        var result = new ModelOptimizer().Optimize(new OptimizeRequest { InputPath = path, Shapes = ModelInputs.Shapes(path)!, RandomSamples = 2 }, TestContext.Current.CancellationToken);

        Assert.True(result.Verification.Passed, result.Verification.Failure);
        Assert.Empty(result.Dropped);
        var optimised = OnnxModelReader.Read(result.Model, "optimised", null);
        Assert.Equal(6, optimised.Graph.Nodes.Count(n => n.OpType == "Attention"));
        Assert.All(result.Verification.Outputs, o => Assert.True(o.MaxRelativeError < 1e-4, $"{o.Output}: {o.MaxRelativeError}"));
    }

    [Fact]
    public void Optimize_WrongPassAmongGoodOnes_BisectedDroppedNamedAndResultStillVerified()
    {
        var path = SharedModels.Require(SharedModels.UltraFaceWithoutPostprocessing);
        var lines = new List<string>();
        var result = new ModelOptimizer(lines.Add).Optimize(new OptimizeRequest
        {
            InputPath = path,
            Level = OptimizationLevel.O2,
            RandomSamples = 1,
            FreezeInitializerInputs = true,
            ExtraPasses = [new DoubleFirstConvWeights()],
        }, TestContext.Current.CancellationToken);

        Assert.True(result.Verification.Passed);
        var dropped = Assert.Single(result.Dropped);
        Assert.Equal("test-double-conv-weights", dropped.Pass);
        Assert.StartsWith("output '", dropped.Reason, StringComparison.Ordinal);
        Assert.NotEmpty(dropped.Nodes);
        Assert.Contains(lines, l => l.StartsWith("bisected the failure to pass test-double-conv-weights", StringComparison.Ordinal));
        Assert.True(result.Report.After.Nodes < result.Report.Before.Nodes, "the good passes still ran");
    }

    [Fact]
    public void Optimize_PassThatThrows_DroppedWithItsError()
    {
        var path = SharedModels.Require(SharedModels.Mnist);
        var result = new ModelOptimizer().Optimize(new OptimizeRequest { InputPath = path, RandomSamples = 1, ExtraPasses = [new Throwing()] }, TestContext.Current.CancellationToken);

        Assert.True(result.Verification.Passed);
        var dropped = Assert.Single(result.Dropped);
        Assert.Equal("test-throwing", dropped.Pass);
        Assert.Contains("index out of range in a test pass", dropped.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Optimize_KeepIntermediateOutput_SplitsGraphAndVerifiesThatValue()
    {
        var path = SharedModels.Require(SharedModels.Mnist);
        var result = new ModelOptimizer().Optimize(new OptimizeRequest { InputPath = path, Level = OptimizationLevel.O1, RandomSamples = 1, KeepOutputs = ["Pooling160_Output_0"] }, TestContext.Current.CancellationToken);

        var model = OnnxModelReader.Read(result.Model, "split", null);
        Assert.Equal(["Pooling160_Output_0"], model.Graph.Outputs.Select(o => o.Name));
        Assert.DoesNotContain(model.Graph.Nodes, n => n.Is("MatMul"));
        Assert.True(Assert.Single(result.Verification.Outputs).Passed);
    }

    [Fact]
    public void Optimize_ShapeOfWrongRank_ClearError()
    {
        var path = SharedModels.Require(SharedModels.MiniLm);
        var ex = Assert.Throws<ArgumentException>(() => new ModelOptimizer().Optimize(new OptimizeRequest
        {
            InputPath = path,
            Shapes = new Dictionary<string, long[]> { ["input_ids"] = [1, 3, 128] },
        }, TestContext.Current.CancellationToken));
        Assert.Contains("input 'input_ids' has rank 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Optimize_OriginalCannotRunOnGeneratedInputs_VerificationExceptionSaysWhatToGive()
    {
        // Silero VAD needs 512-sample chunks; the default free-dimension size is too short for its padding.
        var path = SharedModels.Require(SharedModels.SileroV5);
        var ex = Assert.Throws<VerificationException>(() => new ModelOptimizer().Optimize(new OptimizeRequest { InputPath = path, RandomSamples = 1 }, TestContext.Current.CancellationToken));
        Assert.Contains("give --shape", ex.Message, StringComparison.Ordinal);
    }
}
