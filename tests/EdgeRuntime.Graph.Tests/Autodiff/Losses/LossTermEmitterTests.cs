using EdgeRuntime.Graph.Autodiff;
using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Tests.Autodiff.Losses;

/// <summary>
/// The loss terms: each kind's value equals the C# float64 definition (ReferenceLoss, written from docs/learning.md)
/// to 1e-12 relative — both are float64 sums of a dozen terms — and its gradient matches float64 finite differences
/// to 1e-7 of the largest gradient (FD error ≈ 1e-10 at h = 1e-6), with and without weights, scaled, and summed
/// over several terms.
/// </summary>
public sealed class LossTermEmitterTests
{
    public static TheoryData<LossKind, bool, float> Kinds => new()
    {
        { LossKind.MeanSquaredError, false, 1f },
        { LossKind.MeanSquaredError, true, 0.5f },
        { LossKind.MeanAbsoluteError, false, 1f },
        { LossKind.MeanAbsoluteError, true, 2f },
        { LossKind.Huber, false, 1f },
        { LossKind.Huber, true, 3f },
        { LossKind.SoftmaxCrossEntropy, false, 1f },
        { LossKind.SoftmaxCrossEntropy, true, 0.25f },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Emit_KindWeightsScale_ValueAndGradientMatchReference(LossKind kind, bool weighted, float scale)
    {
        var (model, output) = Regression();
        var term = new LossTerm(kind, output, "target", weighted ? "weight" : null, HuberDelta: 0.3f, Scale: scale);

        var report = GradientCheck.Run(model, new() { Tolerance = 1e-7, LossTolerance = 1e-12, Losses = [term] });

        Assert.True(report.Loss > 0);
    }

    [Fact]
    public void Emit_HuberBothRegimes_ValueMatchesDefinition()
    {
        // Residuals 0.1 (quadratic: ½·0.01) and −2 (linear: 0.3·(2 − 0.15)) with δ = 0.3.
        var model = new TestModel();
        var y = model.Op("Identity", [model.Param("y", [2], [0.1, -2])]);
        model.Output(y);
        var term = new LossTerm(LossKind.Huber, y.Name, "t", HuberDelta: 0.3f);

        var report = GradientCheck.Run(model, new() { Losses = [term], Feeds = new Dictionary<string, Tensor> { ["t"] = Tensor.From<double>([0, 0], 2) } });

        Assert.Equal(((0.5 * 0.01) + (0.3f * (2 - (0.5 * 0.3f)))) / 2, report.Loss, 1e-12);
    }

    [Fact]
    public void Emit_SeveralTermsSharingATarget_SumsTheirValuesAndGradients()
    {
        var (model, output) = Regression();
        var squashed = model.Op("Tanh", [model.Graph.FindValue(output)!]);
        model.Output(squashed);
        LossTerm[] terms =
        [
            new(LossKind.MeanSquaredError, output, "target"),
            new(LossKind.MeanAbsoluteError, output, "target", "weight", Scale: 0.5f),
            new(LossKind.Huber, squashed.Name, "target", "weight", HuberDelta: 0.2f),
        ];

        var report = GradientCheck.Run(model, new() { Tolerance = 1e-7, LossTolerance = 1e-12, Losses = terms });

        Assert.Equal(["target"], report.Graph.TargetInputs);
        Assert.Equal(["weight"], report.Graph.WeightInputs);
    }

    [Fact]
    public void Emit_ZeroWeights_LossAndGradientsAreZero()
    {
        var (model, output) = Regression();
        var feeds = new Dictionary<string, Tensor> { ["weight"] = Tensor.From<double>(new double[12], 3, 4) };

        var report = GradientCheck.Run(model, new() { Losses = [new(LossKind.MeanSquaredError, output, "target", "weight")], Feeds = feeds });

        Assert.Equal(0, report.Loss);
    }

    [Fact]
    public void Emit_CrossEntropyLabelOutOfRange_ContributesNothing()
    {
        var model = new TestModel();
        var logits = model.Op("Mul", [model.Param("x", [3, 5], -2, 2), model.Param("u", [5])]);
        model.Output(logits);
        var feeds = new Dictionary<string, Tensor> { ["label"] = Tensor.From<long>([4, -1, 0], 3) };

        GradientCheck.Run(model, new() { Tolerance = 1e-7, LossTolerance = 1e-12, Losses = [new(LossKind.SoftmaxCrossEntropy, logits.Name, "label")], Feeds = feeds });
    }

    [Theory]
    [InlineData("missing", "t", "the model's main graph has no value 'missing'")]
    [InlineData("ids", "t", "'ids' is int64[3]; a loss needs a floating-point tensor")]
    [InlineData("", "x", "the target input 'x' would clash with a value of the model of that name")]
    public void Build_BadTerm_FailsWithOneLine(string output, string target, string expected)
    {
        var (model, product) = Regression();
        output = output.Length == 0 ? product : output;
        model.Ints("ids", [1, 2, 3], 3);
        model.Output(model.Graph.FindValue("ids")!);

        var error = Assert.Throws<TrainingGraphException>(() => TrainingGraphBuilder.Build(model.Model, new([new(LossKind.MeanSquaredError, output, target)], ["x"])));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("loss term 0 (MeanSquaredError on '", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Build_NonPositiveHuberDelta_Fails()
    {
        var (model, output) = Regression();

        var error = Assert.Throws<TrainingGraphException>(() => TrainingGraphBuilder.Build(model.Model, new([new(LossKind.Huber, output, "t", HuberDelta: 0)], ["x"])));

        Assert.Contains("HuberDelta 0 must be a positive number", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_TargetReusedAsWeight_Fails()
    {
        var (model, output) = Regression();
        LossTerm[] terms = [new(LossKind.MeanSquaredError, output, "t"), new(LossKind.MeanSquaredError, output, "u2", "t")];

        var error = Assert.Throws<TrainingGraphException>(() => TrainingGraphBuilder.Build(model.Model, new(terms, ["x"])));

        Assert.Contains("input 't' is already the target", error.Message, StringComparison.Ordinal);
    }

    /// <summary>y = x ⊙ u on [3, 4] (with u [4]): residuals against uniform targets span both Huber regimes at δ = 0.3.</summary>
    private static (TestModel Model, string Output) Regression()
    {
        var model = new TestModel();
        var y = model.Op("Mul", [model.Param("x", [3, 4], -2, 2), model.Param("u", [4], 0.5, 1.5)]);
        model.Output(y);
        return (model, y.Name);
    }
}
