namespace EdgeRuntime.Learning.OnDevice;

/// <summary>
/// On-device learning (configuration section <c>Learning</c>): the device keeps each forecast with its window,
/// labels it when the forecast intervals have been observed, and now and then fine-tunes the serving forecaster on
/// its own examples in the background; a tuned version serves only if it beats the serving one on the newest examples,
/// which it never trained on.
/// </summary>
public sealed class LearningOptions
{
    /// <summary>Whether forecast pipelines learn on the device. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>New labelled examples needed before a training round. Default 2000 (about 1.4 h of a 4-lane intersection at 10 s).</summary>
    public int MinNewExamples { get; set; } = 2000;

    /// <summary>Most examples a round trains on (the newest). Default 50,000.</summary>
    public int MaxTrainingExamples { get; set; } = 50_000;

    /// <summary>Examples kept on disk per model. Default 200,000.</summary>
    public int MaxStoredExamples { get; set; } = 200_000;

    /// <summary>Share of the newest examples held out to decide whether a tuned version serves. Default 0.2.</summary>
    public double HoldoutFraction { get; set; } = 0.2;

    /// <summary>How much lower (relative) the tuned version's held-out MAE must be than the serving one's. Default 0.01.</summary>
    public double MinImprovement { get; set; } = 0.01;

    /// <summary>CPU time training may use per hour, seconds. Default 120 (about 3% of one core).</summary>
    public double CpuSecondsPerHour { get; set; } = 120;

    /// <summary>Training pauses while the recent inference p99 is above this, ms. Default 50.</summary>
    public double MaxInferenceP99Ms { get; set; } = 50;

    /// <summary>Initializers to train; empty = the model's head and biases (TinyTL-style, cheap in memory). Default empty.</summary>
    public List<string> Trainable { get; set; } = [];

    /// <summary>Epochs per round. Default 4.</summary>
    public int Epochs { get; set; } = 4;

    /// <summary>Examples per step. Default 128.</summary>
    public int BatchSize { get; set; } = 128;

    /// <summary>Adam learning rate. Default 1e-3.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>How often labelled examples are written to disk and the schedule is checked, seconds. Default 10.</summary>
    public double CheckSeconds { get; set; } = 10;

    /// <summary>What is wrong with the options (key and allowed values), or null.</summary>
    public string? Check()
    {
        if (MinNewExamples < 10 || MaxTrainingExamples < MinNewExamples || MaxStoredExamples < MaxTrainingExamples)
        {
            return $"Learning:MinNewExamples ({MinNewExamples}) must be at least 10, at most Learning:MaxTrainingExamples ({MaxTrainingExamples}), at most Learning:MaxStoredExamples ({MaxStoredExamples})";
        }

        if (HoldoutFraction is < 0.05 or > 0.5)
        {
            return $"Learning:HoldoutFraction: {HoldoutFraction} is outside 0.05..0.5";
        }

        if (MinImprovement is < 0 or >= 1 || CpuSecondsPerHour is <= 0 or > 3600 || MaxInferenceP99Ms <= 0)
        {
            return "Learning:MinImprovement must be in [0, 1), Learning:CpuSecondsPerHour in (0, 3600], Learning:MaxInferenceP99Ms positive";
        }

        return Epochs is < 1 or > 1000 || BatchSize is < 1 or > 65536 || !(LearningRate > 0) || CheckSeconds is < 0.1 or > 3600
            ? "Learning:Epochs 1..1000, Learning:BatchSize 1..65536, Learning:LearningRate > 0, Learning:CheckSeconds 0.1..3600"
            : null;
    }
}
