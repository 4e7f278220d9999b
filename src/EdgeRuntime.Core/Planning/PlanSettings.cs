using System.Globalization;
using System.Text.Json.Serialization;

namespace EdgeRuntime.Core.Planning;

/// <summary>
/// How a model runs on a device, as one value: the execution provider, ONNX Runtime's graph level, our optimiser's level
/// and the passes it skips, the precision, intra-op threads, whether idle threads spin, and the execution mode. The plan
/// search measures candidates of this type; the verifier, the latency probe and the serving session are all built from
/// the same value, so what was verified and timed is what serves. Immutable; value equality.
/// </summary>
/// <param name="Provider">The execution provider.</param>
/// <param name="RuntimeLevel">ONNX Runtime's graph optimisation level.</param>
/// <param name="OptimizerLevel">Our optimiser's level, 0 (the model as delivered) to 3 (see docs/optimizer.md).</param>
/// <param name="SkipPasses">Our passes not run (kebab-case names, as <c>edgectl passes</c> lists them).</param>
/// <param name="Precision">The numeric precision.</param>
/// <param name="IntraOpThreads">ONNX Runtime intra-op threads; 0 lets it choose (one per physical core).</param>
/// <param name="Spinning">Whether intra-op worker threads spin while waiting for work (ONNX Runtime's default: yes).</param>
/// <param name="ParallelExecution">Whether independent nodes run concurrently (ONNX Runtime's parallel mode); default sequential.</param>
public sealed record PlanSettings(
    ExecutionProvider Provider,
    RuntimeGraphLevel RuntimeLevel,
    int OptimizerLevel,
    IReadOnlyList<string> SkipPasses,
    PlanPrecision Precision,
    int IntraOpThreads,
    bool Spinning,
    bool ParallelExecution = false)
{
    /// <summary>
    /// ONNX Runtime's default session on the model as delivered: CPU, full graph optimisation, default threads with
    /// spinning, sequential, float32. Always a candidate, so a chosen plan is never slower than it.
    /// </summary>
    public static PlanSettings RuntimeDefault { get; } = new(ExecutionProvider.Cpu, RuntimeGraphLevel.All, 0, [], PlanPrecision.Fp32, 0, true);

    /// <summary>Whether this is <see cref="RuntimeDefault"/> (compared by value, the skip list by content).</summary>
    [JsonIgnore]
    public bool IsRuntimeDefault => Equals(RuntimeDefault);

    /// <summary>One line for tables and logs: <c>Cpu · ort all · O3 · int8-dynamic · 1 thread · no spin</c>.</summary>
    public string Describe()
    {
        var threads = IntraOpThreads == 0 ? "default threads" : IntraOpThreads == 1 ? "1 thread" : string.Create(CultureInfo.InvariantCulture, $"{IntraOpThreads} threads");
        var level = RuntimeLevel.ToString().ToLowerInvariant();
        var precision = Precision switch
        {
            PlanPrecision.Int8Dynamic => "int8-dynamic",
            PlanPrecision.Int8Static => "int8-static",
            PlanPrecision.Fp16 => "fp16",
            _ => "fp32",
        };
        var skip = SkipPasses.Count == 0 ? string.Empty : $" (skip {string.Join(",", SkipPasses)})";
        return string.Create(CultureInfo.InvariantCulture, $"{Provider} · ort {level} · O{OptimizerLevel}{skip} · {precision} · {threads}{(Spinning ? string.Empty : " · no spin")}{(ParallelExecution ? " · parallel" : string.Empty)}");
    }

    /// <inheritdoc />
    public bool Equals(PlanSettings? other) =>
        other is not null && Provider == other.Provider && RuntimeLevel == other.RuntimeLevel && OptimizerLevel == other.OptimizerLevel &&
        SkipPasses.SequenceEqual(other.SkipPasses, StringComparer.Ordinal) && Precision == other.Precision &&
        IntraOpThreads == other.IntraOpThreads && Spinning == other.Spinning && ParallelExecution == other.ParallelExecution;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Provider, RuntimeLevel, OptimizerLevel, string.Join(',', SkipPasses), Precision, IntraOpThreads, Spinning, ParallelExecution);
}
