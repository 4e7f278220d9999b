namespace EdgeRuntime.Learning.Training;

/// <summary>The parameter update rule.</summary>
public enum OptimizerKind
{
    /// <summary>Adam with decoupled weight decay (AdamW; Kingma &amp; Ba 2015, Loshchilov &amp; Hutter 2019).</summary>
    Adam,

    /// <summary>Stochastic gradient descent with (heavy-ball) momentum and weight decay.</summary>
    SgdMomentum,
}

/// <summary>How the learning rate moves over the run (after the warm-up).</summary>
public enum LearningRateSchedule
{
    /// <summary>The base rate throughout.</summary>
    Constant,

    /// <summary>Half a cosine from the base rate down to zero at the last step (Loshchilov &amp; Hutter 2017, SGDR without restarts).</summary>
    Cosine,

    /// <summary>The base rate times 0.1 at each third of the run.</summary>
    Step,
}

/// <summary>
/// How a model is trained. The defaults train the traffic forecaster from scratch on a few days of 5-minute
/// recordings; on-device fine-tuning uses fewer epochs and the head-and-biases selection.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>Most passes over the training examples. Default 12.</summary>
    public int Epochs { get; init; } = 12;

    /// <summary>Examples per step. Default 256.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>The update rule. Default Adam.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Base learning rate. Default 1e-3 (Adam's usual).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Momentum for SGD (β1 for Adam is 0.9, β2 0.999). Default 0.9.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Weight decay per step, decoupled from the gradient (AdamW style). Default 1e-4.</summary>
    public double WeightDecay { get; init; } = 1e-4;

    /// <summary>The learning-rate schedule. Default cosine.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Cosine;

    /// <summary>Steps over which the rate rises linearly from 0 at the start. Default 0.</summary>
    public int WarmupSteps { get; init; }

    /// <summary>Largest global L2 norm of a step's gradient; larger ones are scaled down to it. 0 turns clipping off. Default 1.</summary>
    public double ClipNorm { get; init; } = 1.0;

    /// <summary>Share of the training examples, the newest, held out for early stopping (never the test data). Default 0.1.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Epochs without a better validation loss before training stops (the best parameters are kept). Default 3.</summary>
    public int Patience { get; init; } = 3;

    /// <summary>Seed of the shuffling. Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>ONNX Runtime intra-op threads for the training session (1 keeps training on its own thread). Default 1.</summary>
    public int IntraOpThreads { get; init; } = 1;

    /// <summary>Where the best parameters so far are written after each epoch (atomically); null for none.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>What is wrong with the options, or null.</summary>
    public string? Check()
    {
        if (Epochs < 1 || BatchSize < 1)
        {
            return $"epochs ({Epochs}) and batch size ({BatchSize}) must be at least 1";
        }

        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
        {
            return $"learning rate {LearningRate} must be positive";
        }

        if (Momentum is < 0 or >= 1 || WeightDecay < 0 || ClipNorm < 0)
        {
            return "momentum must be in [0, 1), weight decay and clip norm non-negative";
        }

        return ValidationFraction is < 0 or >= 0.9 ? $"validation fraction {ValidationFraction} must be in [0, 0.9)" : null;
    }
}
