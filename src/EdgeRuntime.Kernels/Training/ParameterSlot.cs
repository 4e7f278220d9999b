namespace EdgeRuntime.Kernels.Training;

/// <summary>Where one named tensor sits in a <see cref="ParameterBuffer"/>'s flat layout.</summary>
/// <param name="Name">The tensor's name (the model's initializer name).</param>
/// <param name="Offset">Index of its first element in the flat buffer.</param>
/// <param name="Length">Its element count (the product of its shape; the buffer keeps no shapes).</param>
public readonly record struct ParameterSlot(string Name, int Offset, int Length);
