namespace EdgeRuntime.Kernels.Training;

/// <summary>
/// An optimiser's state for a checkpoint: its kind, the steps taken, and each state vector in the
/// <see cref="ParameterBuffer"/>'s flat layout ("m" and "v" for Adam, "momentum" for SGD).
/// </summary>
/// <param name="Optimizer">"adam" or "sgd-momentum".</param>
/// <param name="Steps">Updates applied so far (Adam's bias correction depends on it).</param>
/// <param name="Buffers">State vector name → values, each as long as the parameter buffer.</param>
public sealed record OptimizerState(string Optimizer, long Steps, IReadOnlyDictionary<string, float[]> Buffers);
