using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Testing.Fuzzing;

/// <summary>One input set the generator chose for a graph (sizes of its free dimensions, both sides of its comparisons, perturbed weights).</summary>
/// <param name="Label">Why it is there.</param>
/// <param name="Inputs">Tensors by input name.</param>
public sealed record FuzzFeed(string Label, IReadOnlyDictionary<string, Tensor> Inputs);

/// <summary>
/// A generated model with what its generator knows about it: input sets that reach everything it built, outputs that
/// are dequantised data (compared within one quantisation step) or random (compared by type, shape and that they still
/// vary), and whether a correct optimiser must refuse it (a sequence input).
/// </summary>
/// <param name="Seed">The generator seed that gives it.</param>
/// <param name="Model">The ONNX bytes.</param>
/// <param name="Feeds">Input sets; the original accepts each one.</param>
/// <param name="QuantisedOutputs">Output name → quantisation step of the DequantizeLinear that gives it.</param>
/// <param name="RandomOutputs">Outputs computed from random operators.</param>
/// <param name="ExpectRefusal">Whether the model has an input of a type verification cannot feed, so it must be refused in one line.</param>
/// <param name="Features">Grammar productions used, for reports.</param>
public sealed record FuzzCase(
    int Seed,
    byte[] Model,
    IReadOnlyList<FuzzFeed> Feeds,
    IReadOnlyDictionary<string, double> QuantisedOutputs,
    IReadOnlySet<string> RandomOutputs,
    bool ExpectRefusal,
    IReadOnlyList<string> Features);
