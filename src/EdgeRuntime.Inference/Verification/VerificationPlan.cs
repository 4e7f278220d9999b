using System.Collections.Concurrent;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Inference.Runtime;

namespace EdgeRuntime.Inference.Verification;

/// <summary>
/// Everything about the original a verification needs, computed once (<see cref="NumericalVerifier.Prepare"/>) and
/// shared by every candidate checked against it (bisection, measured variants, plan search): the input sets the
/// original accepts, its outputs on them, the tolerance of each output, what the samples cover, and the facts
/// about the original that candidates are held to (inputs, random operators, structural problems it already has).
/// Immutable; safe to share between threads.
/// </summary>
public sealed class VerificationPlan
{
    internal VerificationPlan(PlanParts parts)
    {
        Original = parts.Original;
        Reference = parts.Reference;
        Samples = parts.Samples;
        Expected = parts.Expected;
        OutputNames = parts.OutputNames;
        Tolerances = parts.Tolerances;
        Coverage = parts.Coverage;
        Skipped = parts.Skipped;
        Nondeterministic = parts.Nondeterministic;
        Varying = parts.Varying;
        Dequantised = parts.Dequantised;
        MisdeclaredOutputs = parts.MisdeclaredOutputs;
        OriginalProblems = parts.OriginalProblems;
        RandomOperators = parts.RandomOperators;
        OriginalInputs = parts.OriginalInputs;
        RequiredInputs = parts.RequiredInputs;
        Normalised = parts.Normalised;
        Branches = parts.Branches;
        BranchReferences = parts.BranchReferences;
    }

    /// <summary>The original model's bytes.</summary>
    public byte[] Original { get; }

    /// <summary>The input sets, each accepted by the original.</summary>
    public IReadOnlyList<VerificationSample> Samples { get; }

    /// <summary>The outputs a candidate must have, in order (the original's, or the kept ones).</summary>
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>The tolerance rule per output name.</summary>
    public IReadOnlyDictionary<string, ToleranceRule> Tolerances { get; }

    /// <summary>What the samples cover, one line each (free-dimension sizes, thresholds, If branches taken or checked on their own).</summary>
    public IReadOnlyList<string> Coverage { get; }

    /// <summary>Input sets the original refused, with its reason (a size its operators cannot take, an index out of range).</summary>
    public IReadOnlyList<string> Skipped { get; }

    /// <summary>The model the reference runs: the original, with kept intermediate values exposed as outputs.</summary>
    internal byte[] Reference { get; }

    /// <summary>The reference's outputs under other session settings (the deployed ones), computed when first needed.</summary>
    internal ConcurrentDictionary<SessionSettings, IReadOnlyList<Dictionary<string, Tensor>>?> ReferenceUnder { get; } = new();

    /// <summary>The original's outputs per sample, by output name (at ONNX Runtime's unoptimised level).</summary>
    internal IReadOnlyList<Dictionary<string, Tensor>> Expected { get; }

    /// <summary>Outputs computed from random operators: compared by type and shape only.</summary>
    internal IReadOnlySet<string> Nondeterministic { get; }

    /// <summary>Random outputs seen to differ between runs of the original on the same inputs: a candidate's must differ too.</summary>
    internal IReadOnlySet<string> Varying { get; }

    /// <summary>Outputs computed from DequantizeLinear results (ONNX Runtime may run their producers as integer kernels).</summary>
    internal IReadOnlySet<string> Dequantised { get; }

    /// <summary>Outputs whose declared type the original itself does not meet (not the candidate's fault).</summary>
    internal IReadOnlySet<string> MisdeclaredOutputs { get; }

    /// <summary>Structural problems the original already has.</summary>
    internal IReadOnlySet<string> OriginalProblems { get; }

    /// <summary>Random operators the original runs, by "domain:op" (those that reach an output).</summary>
    internal IReadOnlyDictionary<string, int> RandomOperators { get; }

    /// <summary>The original's input names.</summary>
    internal IReadOnlySet<string> OriginalInputs { get; }

    /// <summary>Inputs a candidate must keep: initializers a caller may override.</summary>
    internal IReadOnlyList<string> RequiredInputs { get; }

    /// <summary>The original as this library writes it (every node named), for branch checks.</summary>
    internal byte[] Normalised { get; }

    /// <summary>If branches of the main graph to verify on their own.</summary>
    internal IReadOnlyList<BranchCheck> Branches { get; }

    /// <summary>
    /// The original's side of every branch check (its outer values per sample, the branch on its own, its outputs), worked
    /// out once with the plan and shared by every candidate: only the candidate's side is run per verification.
    /// </summary>
    internal IReadOnlyList<BranchVerifier.BranchReference> BranchReferences { get; }

    internal sealed record PlanParts(
        byte[] Original,
        byte[] Reference,
        IReadOnlyList<VerificationSample> Samples,
        IReadOnlyList<Dictionary<string, Tensor>> Expected,
        IReadOnlyList<string> OutputNames,
        IReadOnlyDictionary<string, ToleranceRule> Tolerances,
        IReadOnlyList<string> Coverage,
        IReadOnlyList<string> Skipped,
        IReadOnlySet<string> Nondeterministic,
        IReadOnlySet<string> Varying,
        IReadOnlySet<string> Dequantised,
        IReadOnlySet<string> MisdeclaredOutputs,
        IReadOnlySet<string> OriginalProblems,
        IReadOnlyDictionary<string, int> RandomOperators,
        IReadOnlySet<string> OriginalInputs,
        IReadOnlyList<string> RequiredInputs,
        byte[] Normalised,
        IReadOnlyList<BranchCheck> Branches,
        IReadOnlyList<BranchVerifier.BranchReference> BranchReferences);
}

/// <summary>An If branch of the main graph to verify on its own, and why.</summary>
/// <param name="Node">The If node's name.</param>
/// <param name="Branch">then_branch or else_branch.</param>
/// <param name="Reason">"no sample takes it" or "it holds If nodes".</param>
internal sealed record BranchCheck(string Node, string Branch, string Reason);
