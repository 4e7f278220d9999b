using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Inference.Verification;

namespace EdgeRuntime.Inference.Planning;

/// <summary>
/// How close a plan's outputs must stay to the float32 original's. A float32 plan (another ONNX Runtime level, our
/// passes, other threads) is held to float rounding, element by element (<see cref="Tolerance.For"/>). A reduced
/// precision plan cannot be: int8 and float16 move every element, so it is held to the direction of each output per
/// sample — cosine similarity at least <see cref="MinimumCosine"/> — and to a bounded worst element. The defaults come
/// from the embedding criterion of issue 16 (mean cosine ≥ 0.98 on natural sentences), applied to every sample rather
/// than on average.
/// </summary>
public sealed record PlanTolerance
{
    /// <summary>Lowest cosine similarity between a reduced-precision output and the original's, on any sample. Default 0.98.</summary>
    public double MinimumCosine { get; init; } = 0.98;

    /// <summary>Largest |expected − actual| of a reduced-precision output as a share of the output's largest |expected|. Default 0.25.</summary>
    public double MaximumRelativeError { get; init; } = 0.25;

    /// <summary>Whether <paramref name="precision"/> is held to rounding (float32) rather than to direction (reduced precision).</summary>
    public static bool IsExactPrecision(PlanPrecision precision) => precision == PlanPrecision.Fp32;

    /// <summary>The element-wise tolerance of a float32 plan for an output of <paramref name="type"/>.</summary>
    public static Tolerance Rounding(DataType type) => Tolerance.For(type);
}
