namespace EdgeRuntime.Kernels.Training;

/// <summary>
/// An optimiser whose state lives on the accelerator beside a <see cref="ParameterBuffer"/>. A step reads the
/// buffer's gradients and updates its parameters in place. The caller disposes it (before the accelerator).
/// </summary>
public interface IParameterOptimizer : IDisposable
{
    /// <summary>The parameters it updates.</summary>
    ParameterBuffer Parameters { get; }

    /// <summary>Updates applied so far.</summary>
    long Steps { get; }

    /// <summary>One update at the settings' learning rate.</summary>
    void Step();

    /// <summary>One update at <paramref name="learningRate"/> (for schedules); ≥ 0.</summary>
    void Step(float learningRate);

    /// <summary>A copy of the state, for a checkpoint.</summary>
    OptimizerState ExportState();

    /// <summary>Restores a state exported from an optimiser of the same kind over the same layout.</summary>
    /// <exception cref="ArgumentException">Another kind, missing vectors, or lengths that differ (one line naming which).</exception>
    void ImportState(OptimizerState state);
}
