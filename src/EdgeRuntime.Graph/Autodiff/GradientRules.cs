using EdgeRuntime.Graph.Autodiff.Rules;
using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Autodiff;

/// <summary>Every gradient rule, by operator. The one place that lists them.</summary>
internal static class GradientRules
{
    private static readonly GradientRule[] All =
    [
        // Linear algebra and arithmetic.
        new MatMulGradient(), new GemmGradient(), new AddGradient(), new SubGradient(), new MulGradient(), new DivGradient(),
        new SumGradient(), new NegGradient(), new PowGradient(), new SqrtGradient(), new ExpGradient(), new LogGradient(), new WhereGradient(),

        // Activations.
        new ReluGradient(), new LeakyReluGradient(), new SigmoidGradient(), new TanhGradient(), new GeluGradient(), new MicrosoftGeluGradient(),
        new ErfGradient(), new HardSigmoidGradient(), new HardSwishGradient(), new ClipGradient(), new SoftmaxGradient(), new LogSoftmaxGradient(),

        // Shapes and indexing.
        new ReshapeGradient(), new FlattenGradient(), new SqueezeGradient(), new UnsqueezeGradient(), new TransposeGradient(), new ConcatGradient(),
        new SplitGradient(), new SliceGradient(), new GatherGradient(), new ExpandGradient(), new IdentityGradient(), new DropoutGradient(), new CastGradient(),

        // Reductions and normalisation.
        new ReduceSumGradient(), new ReduceMeanGradient(), new LayerNormalizationGradient(), new BatchNormalizationGradient(),

        // Convolution and pooling.
        new ConvGradient(), new MaxPoolGradient(), new AveragePoolGradient(), new GlobalAveragePoolGradient(),
    ];

    private static readonly Dictionary<(string Domain, string OpType), GradientRule> ByOperator = All.ToDictionary(r => (r.Domain, r.OpType));

    /// <summary>The operators with a rule ("domain.Op" outside ai.onnx), sorted.</summary>
    public static IReadOnlyList<string> Operators { get; } = [.. All.Select(r => r.Domain.Length == 0 ? r.OpType : $"{r.Domain}.{r.OpType}").Order(StringComparer.Ordinal)];

    /// <summary>The rule for <paramref name="node"/>'s operator, or null.</summary>
    public static GradientRule? Find(Node node)
    {
        var domain = node.Domain == "ai.onnx" ? string.Empty : node.Domain;
        return ByOperator.GetValueOrDefault((domain, node.OpType));
    }
}
