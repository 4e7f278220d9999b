namespace EdgeRuntime.Learning.Training;

/// <summary>The learning rate at a step of a run: linear warm-up, then the schedule. Pure.</summary>
public static class LearningRates
{
    /// <summary>The rate for <paramref name="step"/> (0-based) of <paramref name="totalSteps"/>.</summary>
    public static double At(TrainingOptions options, long step, long totalSteps)
    {
        ArgumentNullException.ThrowIfNull(options);
        var baseRate = options.LearningRate;
        if (step < options.WarmupSteps)
        {
            return baseRate * (step + 1) / options.WarmupSteps;
        }

        var span = Math.Max(1, totalSteps - options.WarmupSteps);
        var progress = Math.Clamp((double)(step - options.WarmupSteps) / span, 0, 1);
        return options.Schedule switch
        {
            LearningRateSchedule.Cosine => baseRate * 0.5 * (1 + Math.Cos(Math.PI * progress)),
            LearningRateSchedule.Step => baseRate * Math.Pow(0.1, Math.Min(2, (int)(progress * 3))),
            _ => baseRate,
        };
    }
}
