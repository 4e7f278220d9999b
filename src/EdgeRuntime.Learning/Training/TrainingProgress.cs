using EdgeRuntime.Kernels.Training;

namespace EdgeRuntime.Learning.Training;

/// <summary>Where a run is, reported after every step (for progress bars) and after every epoch.</summary>
/// <param name="Epoch">Epoch, 0-based.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="Step">Step within the epoch, 1-based.</param>
/// <param name="Steps">Steps per epoch.</param>
/// <param name="Loss">Mean training loss of the epoch so far.</param>
/// <param name="ValidationLoss">Validation loss at the end of the epoch; null during it.</param>
/// <param name="LearningRate">The step's learning rate.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Step, int Steps, double Loss, double? ValidationLoss, double LearningRate);

/// <summary>Why a run ended.</summary>
public enum TrainingStop
{
    /// <summary>Every planned epoch ran.</summary>
    Completed,

    /// <summary>The validation loss stopped improving.</summary>
    EarlyStopped,
}

/// <summary>What a run produced.</summary>
/// <param name="Parameters">The kept parameters (the best on validation, or the last without a validation slice), by name.</param>
/// <param name="EpochsRun">Epochs run.</param>
/// <param name="BestEpoch">The epoch whose parameters were kept.</param>
/// <param name="TrainingLoss">Mean training loss per epoch.</param>
/// <param name="ValidationLoss">Validation loss per epoch (empty without a validation slice).</param>
/// <param name="Stop">Why it ended.</param>
/// <param name="Steps">Optimiser steps taken.</param>
/// <param name="Elapsed">Wall time.</param>
/// <param name="UpdateDevice">Where the parameter updates ran.</param>
/// <param name="OptimizerState">The optimiser's state after the last step (moments, step count), to continue a later run from it; null unless asked for.</param>
public sealed record TrainingResult(
    IReadOnlyDictionary<string, float[]> Parameters,
    int EpochsRun,
    int BestEpoch,
    IReadOnlyList<double> TrainingLoss,
    IReadOnlyList<double> ValidationLoss,
    TrainingStop Stop,
    long Steps,
    TimeSpan Elapsed,
    string UpdateDevice,
    OptimizerState? OptimizerState = null);
