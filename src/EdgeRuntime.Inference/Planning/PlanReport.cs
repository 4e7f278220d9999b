using System.Text.Json.Serialization;
using EdgeRuntime.Core.Devices;

namespace EdgeRuntime.Inference.Planning;

/// <summary>Why a candidate won or lost.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CandidateOutcome>))]
public enum CandidateOutcome
{
    /// <summary>The plan chosen.</summary>
    [JsonStringEnumMemberName("chosen")]
    Chosen,

    /// <summary>Within tolerance, but a higher score than the chosen one.</summary>
    [JsonStringEnumMemberName("slower")]
    Slower,

    /// <summary>Stopped early: its fast quartile was clearly slower than the leader.</summary>
    [JsonStringEnumMemberName("stopped-early")]
    StoppedEarly,

    /// <summary>Its outputs moved beyond its precision's tolerance; never chosen however fast.</summary>
    [JsonStringEnumMemberName("outside-tolerance")]
    OutsideTolerance,

    /// <summary>It could not be built or run (the reason says why).</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>Not measured: the budget ran out first.</summary>
    [JsonStringEnumMemberName("not-measured")]
    NotMeasured,
}

/// <summary>One candidate plan as measured.</summary>
/// <param name="Stage">1: graph × precision × ORT level at default threads; 2: threads × spinning of the finalists.</param>
/// <param name="Plan">The settings in one line.</param>
/// <param name="Settings">The settings.</param>
/// <param name="MedianMilliseconds">Median latency in its race; null when not timed.</param>
/// <param name="Q1Milliseconds">25th percentile.</param>
/// <param name="Q3Milliseconds">75th percentile.</param>
/// <param name="Runs">Timed runs.</param>
/// <param name="Score">Median × (1 + λ·error); the lowest within tolerance wins.</param>
/// <param name="MaxRelativeError">Largest element error over the output's scale, against the float32 original.</param>
/// <param name="MinCosine">Lowest cosine similarity to the original's outputs over the samples.</param>
/// <param name="MeanCosine">Mean cosine similarity.</param>
/// <param name="SessionSeconds">Time to build its ONNX Runtime session.</param>
/// <param name="Outcome">Why it won or lost.</param>
/// <param name="Reason">The reason in words.</param>
public sealed record CandidateReport(
    int Stage,
    string Plan,
    Core.Planning.PlanSettings Settings,
    double? MedianMilliseconds,
    double? Q1Milliseconds,
    double? Q3Milliseconds,
    int Runs,
    double? Score,
    double? MaxRelativeError,
    double? MinCosine,
    double? MeanCosine,
    double? SessionSeconds,
    CandidateOutcome Outcome,
    string Reason);

/// <summary>The plan search's report: the device, every candidate with its latency, error and outcome, and the final comparison with ONNX Runtime's default.</summary>
/// <param name="Model">The model file.</param>
/// <param name="Device">The device profile (CPU, instruction sets, providers, fingerprint).</param>
/// <param name="BudgetSeconds">The budget.</param>
/// <param name="ElapsedSeconds">How long the search took.</param>
/// <param name="Chosen">The chosen settings.</param>
/// <param name="VersusDefault">The chosen plan against ONNX Runtime's default session on the original, in interleaved pairs; null when the default was chosen.</param>
/// <param name="Candidates">Every candidate, in the order measured.</param>
/// <param name="Notes">What was not tried and why; int8 losing to fp32; fallbacks.</param>
public sealed record PlanReport(
    string Model,
    DeviceProfile Device,
    double BudgetSeconds,
    double ElapsedSeconds,
    Core.Planning.PlanSettings Chosen,
    LatencyRatio? VersusDefault,
    IReadOnlyList<CandidateReport> Candidates,
    IReadOnlyList<string> Notes);

/// <summary>A plan: its settings, the model bytes it runs, and the report of how it was chosen.</summary>
/// <param name="Settings">The chosen settings.</param>
/// <param name="Model">The ONNX bytes the session is built from (our passes and precision applied).</param>
/// <param name="Report">The search's report.</param>
public sealed record PlanResult(Core.Planning.PlanSettings Settings, byte[] Model, PlanReport Report);

/// <summary>Source-generated JSON for plan reports and cached plan records (camelCase, indented for people).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(PlanReport))]
[JsonSerializable(typeof(CachedPlan))]
public sealed partial class PlanJson : JsonSerializerContext;
