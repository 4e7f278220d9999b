using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Inference.Verification;

/// <summary>What the verifier needs to know about the deployment besides the original model. Immutable.</summary>
public sealed record VerificationOptions
{
    /// <summary>Deployment shapes per input: those inputs are verified at exactly these shapes (their free dimensions are bound).</summary>
    public IReadOnlyDictionary<string, long[]> Shapes { get; init; } = new Dictionary<string, long[]>();

    /// <summary>Inputs with a fixed value in every generated sample (a sample rate).</summary>
    public IReadOnlyDictionary<string, Tensor> FixedInputs { get; init; } = new Dictionary<string, Tensor>();

    /// <summary>Recorded input sets (real data), used as given.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, Tensor>> RecordedSamples { get; init; } = [];

    /// <summary>
    /// Random input sets at the default sizes. Default 3. With 0, only the recorded sets are used and no sample is
    /// generated for coverage either (free-dimension sizes, comparison thresholds, overridable initializers).
    /// </summary>
    public int RandomSamples { get; init; } = 3;

    /// <summary>The outputs the candidate keeps (existing outputs or intermediate values); empty: all of the original's, in order.</summary>
    public IReadOnlyList<string> KeepOutputs { get; init; } = [];

    /// <summary>
    /// Whether the deployment never feeds the initializers the original lists as inputs (IR 4 and later), so the
    /// candidate may have made them constants. Otherwise they are fed with perturbed values and must stay inputs.
    /// Before IR 4 they are always treated as frozen (every initializer had to be listed as an input then).
    /// </summary>
    public bool FreezeInitializerInputs { get; init; }

    /// <summary>
    /// Most elements a generated input may have (default 2^20: 4 MiB of float32). Free dimensions are shrunk (halved,
    /// all together) until every generated input fits; deployment shapes and recorded inputs are used as given.
    /// </summary>
    public long MaxInputElements { get; init; } = 1 << 20;

    /// <summary>Overrides every output's tolerance when set.</summary>
    public Tolerance? Tolerance { get; init; }
}
