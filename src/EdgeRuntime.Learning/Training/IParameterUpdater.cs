using EdgeRuntime.Kernels.Training;

namespace EdgeRuntime.Learning.Training;

/// <summary>
/// Holds the trainable parameters and the optimiser's state where the update runs (an ILGPU accelerator), takes a
/// step's gradients, and applies the update rule. Parameters are addressed by their position in the list the
/// updater was created with. One user at a time; dispose to free accelerator memory.
/// </summary>
public interface IParameterUpdater : IDisposable
{
    /// <summary>Where the update runs, for logs and status ("ILGPU CPU", "ILGPU CUDA (NVIDIA H200)").</summary>
    string Device { get; }

    /// <summary>Sets parameter <paramref name="parameter"/>'s gradient for the next step.</summary>
    void SetGradient(int parameter, ReadOnlySpan<float> gradient);

    /// <summary>The global L2 norm of all gradients set for this step.</summary>
    double GradientNorm();

    /// <summary>Scales all gradients by <paramref name="factor"/> (gradient clipping).</summary>
    void ScaleGradients(float factor);

    /// <summary>Applies one update with <paramref name="learningRate"/>.</summary>
    void Step(double learningRate);

    /// <summary>Copies parameter <paramref name="parameter"/>'s current values to <paramref name="destination"/>.</summary>
    void CopyParameter(int parameter, Span<float> destination);

    /// <summary>The optimiser's state (moments and step count) in the flat layout of the parameters' order.</summary>
    OptimizerState ExportState();

    /// <summary>Continues from <paramref name="state"/> (an earlier run's <see cref="ExportState"/> over the same parameters).</summary>
    /// <exception cref="ArgumentException">The state belongs to another optimiser or another parameter layout.</exception>
    void ImportState(OptimizerState state);

    /// <summary>Overwrites parameter <paramref name="parameter"/>'s values (restoring a checkpoint; the optimiser state is kept).</summary>
    void SetParameter(int parameter, ReadOnlySpan<float> values);
}
