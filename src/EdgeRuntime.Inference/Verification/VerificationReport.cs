namespace EdgeRuntime.Inference.Verification;

/// <summary>How one output of the optimised model compares with the original's, worst case over all samples.</summary>
/// <param name="Output">The output's name.</param>
/// <param name="MaxAbsoluteError">Largest |expected − actual|.</param>
/// <param name="MaxRelativeError">Largest |expected − actual| divided by the output's largest |expected|.</param>
/// <param name="Cosine">Lowest cosine similarity between expected and actual (1 = same direction).</param>
/// <param name="Top1Agreement">Share of positions whose arg-max over the last axis agrees; null where that means nothing.</param>
/// <param name="Passed">Whether every sample stayed within tolerance.</param>
/// <param name="Problem">What went wrong, when it did.</param>
public sealed record OutputComparison(string Output, double MaxAbsoluteError, double MaxRelativeError, double Cosine, double? Top1Agreement, bool Passed, string? Problem)
{
    /// <summary>Which tolerance applied and why ("float32 rounding (…)", "one quantisation step of DequantizeLinear 'y' (0.05) + …").</summary>
    public string ToleranceApplied { get; init; } = string.Empty;
}

/// <summary>The verdict on an optimised model.</summary>
/// <param name="Passed">Whether every output matched within tolerance on every sample.</param>
/// <param name="Samples">How many input sets were compared.</param>
/// <param name="Outputs">Per-output comparison.</param>
/// <param name="Failure">One line on why it failed, when it did.</param>
public sealed record VerificationReport(bool Passed, int Samples, IReadOnlyList<OutputComparison> Outputs, string? Failure)
{
    /// <summary>What the samples covered, one line each (sizes of free dimensions, comparison thresholds, If branches, perturbed initializers).</summary>
    public IReadOnlyList<string> Coverage { get; init; } = [];

    /// <summary>Problems the structural check found in the candidate (beyond those the original already had).</summary>
    public IReadOnlyList<string> StructuralProblems { get; init; } = [];

    /// <summary>Whether the candidate failed before any sample ran: the structural check, or ONNX Runtime refusing to load it.</summary>
    internal bool FailedBeforeRunning { get; init; }
}
