namespace EdgeRuntime.Kernels.Training;

/// <summary>The range checks the optimiser settings share.</summary>
internal static class OptimizerChecks
{
    public static void LearningRate(float value)
    {
        if (!(value >= 0) || !float.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "the learning rate must be finite and not negative");
        }
    }

    public static void InUnitInterval(float value, string name)
    {
        if (!(value >= 0 && value < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"{name} must be in [0, 1)");
        }
    }

    public static void NonNegative(float value, string name)
    {
        if (!(value >= 0) || !float.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"{name} must be finite and not negative");
        }
    }
}
