namespace EdgeRuntime.Kernels.Training;

/// <summary>Gives the gradient of the tensor called <paramref name="name"/>: as many floats as the tensor has, in its layout.</summary>
public delegate ReadOnlySpan<float> GradientSource(string name);
