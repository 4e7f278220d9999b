using System.Globalization;

namespace EdgeRuntime.Learning.OnDevice;

/// <summary>Why on-device learning waits or what it does; the status shows the code.</summary>
public enum LearningCode
{
    /// <summary>Not enough new labelled examples since the last round.</summary>
    CollectingExamples,

    /// <summary>This hour's CPU budget is spent.</summary>
    CpuBudgetSpent,

    /// <summary>No version of the model serves.</summary>
    NotServing,

    /// <summary>The serving version is not a model the device can train (no trainable forecaster).</summary>
    NotTrainable,

    /// <summary>A round should run now.</summary>
    Train,
}

/// <summary>What the device knows when it decides whether to train.</summary>
/// <param name="ServingVersion">The version serving, or null.</param>
/// <param name="Trainable">Whether the serving model can be trained (a forecaster with feature metadata and trainable parameters).</param>
/// <param name="NewExamples">Labelled examples stored since the last round started.</param>
/// <param name="CpuUsedThisHour">Training CPU time within the last hour.</param>
public readonly record struct LearningState(long? ServingVersion, bool Trainable, long NewExamples, TimeSpan CpuUsedThisHour);

/// <summary>When to run a training round. Pure: a function of the state and the options.</summary>
public static class LearningPolicy
{
    /// <summary>The decision for <paramref name="state"/>.</summary>
    public static LearningCode Decide(LearningState state, LearningOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (state.ServingVersion is null)
        {
            return LearningCode.NotServing;
        }

        if (!state.Trainable)
        {
            return LearningCode.NotTrainable;
        }

        if (state.NewExamples < options.MinNewExamples)
        {
            return LearningCode.CollectingExamples;
        }

        return state.CpuUsedThisHour.TotalSeconds >= options.CpuSecondsPerHour ? LearningCode.CpuBudgetSpent : LearningCode.Train;
    }

    /// <summary>
    /// Whether a training step may run now: only while no inference request waits, the recent p99 is within the bound,
    /// and this hour's CPU budget is not spent (a step in progress always finishes). Serving always goes first.
    /// </summary>
    public static StepGate MayStep(Core.Learning.InferenceLoad load, TimeSpan cpuUsedThisHour, LearningOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (load.QueuedRequests > 0)
        {
            return StepGate.InferenceQueued;
        }

        if (load.RecentP99Ms is { } p99 && p99 > options.MaxInferenceP99Ms)
        {
            return StepGate.LatencyAboveBound;
        }

        return cpuUsedThisHour.TotalSeconds >= options.CpuSecondsPerHour ? StepGate.CpuBudgetSpent : StepGate.Go;
    }

    /// <summary>
    /// Whether a tuned version replaces the serving one: its MAE on the held-out newest examples must be lower by at
    /// least <see cref="LearningOptions.MinImprovement"/> (relative).
    /// </summary>
    public static bool Accept(double servingMae, double candidateMae, LearningOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return double.IsFinite(candidateMae) && double.IsFinite(servingMae) && candidateMae < servingMae * (1 - options.MinImprovement);
    }

    /// <summary>
    /// The round's outcome when <see cref="Accept"/> refused the tuned version: how it compared on the
    /// <paramref name="heldOut"/> newest examples, and what was needed.
    /// </summary>
    public static string KeptReason(double servingMae, double candidateMae, int heldOut, LearningOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var needed = string.Create(CultureInfo.InvariantCulture, $"more than {options.MinImprovement * 100:0.#}% better needed");
        if (!double.IsFinite(candidateMae))
        {
            return $"kept the serving version: the tuned one's held-out MAE is not a number (training diverged); {needed}";
        }

        if (!double.IsFinite(servingMae) || servingMae <= 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"kept the serving version: its held-out MAE on the newest {heldOut} examples is {servingMae:0.###}, which no tuned version can beat by a share");
        }

        var gain = 1 - (candidateMae / servingMae);
        var comparison = gain switch
        {
            > 0 => string.Create(CultureInfo.InvariantCulture, $"{gain * 100:0.0}% better"),
            < 0 => string.Create(CultureInfo.InvariantCulture, $"{-gain * 100:0.0}% worse"),
            _ => "no better",
        };
        return string.Create(CultureInfo.InvariantCulture, $"kept the serving version: the tuned one was {comparison} on the newest {heldOut} examples (held-out MAE {candidateMae:0.###} against {servingMae:0.###}), {needed}");
    }
}

/// <summary>Whether a training step may run.</summary>
public enum StepGate
{
    /// <summary>Run it.</summary>
    Go,

    /// <summary>Inference requests are waiting.</summary>
    InferenceQueued,

    /// <summary>The recent inference p99 is above <see cref="LearningOptions.MaxInferenceP99Ms"/>.</summary>
    LatencyAboveBound,

    /// <summary>This hour's CPU budget is spent.</summary>
    CpuBudgetSpent,
}
