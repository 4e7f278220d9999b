using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Inference.Verification;

/// <summary>One input set the original and every candidate run on.</summary>
/// <param name="Label">Why it is there ("random 1", "free dimensions = 1", "k = 11 (a comparison threshold ± 1)").</param>
/// <param name="Inputs">Tensors by input name (overridable initializers included when they are fed).</param>
public sealed record VerificationSample(string Label, IReadOnlyDictionary<string, Tensor> Inputs);
