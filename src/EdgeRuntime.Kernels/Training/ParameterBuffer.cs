using EdgeRuntime.Kernels.Accelerators;
using EdgeRuntime.Kernels.Vectors;

namespace EdgeRuntime.Kernels.Training;

/// <summary>
/// A model's trainable tensors kept on the accelerator between steps: every named float tensor flattened, in the
/// order given, into one parameter vector, with a gradient vector of the same layout beside it. An optimiser
/// (<see cref="AdamOptimizer"/>, <see cref="SgdMomentumOptimizer"/>) keeps its state vectors in the same layout and
/// updates all tensors in one kernel launch.
/// </summary>
/// <remarks>
/// A training step: <see cref="SetGradients(GradientSource)"/> (one upload), optionally
/// <see cref="ClipGradients"/>, the optimiser's <c>Step</c>, then <see cref="CopyParametersTo(string, Span{float})"/>
/// for the tensors the next forward pass needs. Ownership: the caller disposes it (before the accelerator). Not for
/// concurrent use by several trainers; each call is safe against other users of the same accelerator.
/// </remarks>
public sealed class ParameterBuffer : IDisposable
{
    private readonly Dictionary<string, ParameterSlot> _byName = new(StringComparer.Ordinal);
    private readonly float[] _staging;

    /// <summary>Uploads <paramref name="tensors"/> (copied; the arrays stay the caller's) and zeroes the gradients.</summary>
    /// <exception cref="ArgumentException">A name empty or given twice, or more than <see cref="DeviceVector.MaxLength"/> floats in all.</exception>
    public ParameterBuffer(KernelAccelerator kernels, IReadOnlyList<(string Name, float[] Values)> tensors)
    {
        ArgumentNullException.ThrowIfNull(kernels);
        ArgumentNullException.ThrowIfNull(tensors);
        var slots = new List<ParameterSlot>(tensors.Count);
        long offset = 0;
        foreach (var (name, values) in tensors)
        {
            if (string.IsNullOrEmpty(name))
            {
                throw new ArgumentException($"parameter buffer: tensor {slots.Count} has no name");
            }

            ArgumentNullException.ThrowIfNull(values, $"tensors[{name}]");
            var slot = new ParameterSlot(name, (int)Math.Min(offset, int.MaxValue), values.Length);
            if (!_byName.TryAdd(name, slot))
            {
                throw new ArgumentException($"parameter buffer: tensor '{name}' is given twice");
            }

            slots.Add(slot);
            offset += values.Length;
            if (offset > DeviceVector.MaxLength)
            {
                throw new ArgumentException($"parameter buffer: {offset} floats up to '{name}' exceed the {DeviceVector.MaxLength} a buffer holds");
            }
        }

        Accelerator = kernels;
        Slots = slots;
        Length = (int)offset;
        _staging = new float[Length];
        foreach (var (slot, (_, values)) in slots.Zip(tensors))
        {
            values.CopyTo(_staging, slot.Offset);
        }

        Parameters = kernels.Upload(_staging);
        try
        {
            Gradients = kernels.Allocate(Length);
        }
        catch
        {
            Parameters.Dispose();
            throw;
        }
    }

    /// <summary>The accelerator the buffers live on.</summary>
    public KernelAccelerator Accelerator { get; }

    /// <summary>The tensors' places in the flat layout, in the order given.</summary>
    public IReadOnlyList<ParameterSlot> Slots { get; }

    /// <summary>Floats in all tensors together.</summary>
    public int Length { get; }

    /// <summary>Every parameter, flattened (for vector maths such as a federated delta against the received version).</summary>
    public DeviceVector Parameters { get; }

    /// <summary>Every gradient, in the same layout.</summary>
    public DeviceVector Gradients { get; }

    /// <summary>The slot of tensor <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No tensor of that name.</exception>
    public ParameterSlot Slot(string name) =>
        _byName.TryGetValue(name, out var slot) ? slot : throw new KeyNotFoundException($"parameter buffer: no tensor '{name}' (it holds {string.Join(", ", Slots.Select(s => s.Name))})");

    /// <summary>Uploads the gradient of one tensor.</summary>
    /// <exception cref="ArgumentException">Its length is not the tensor's.</exception>
    public void SetGradients(string name, ReadOnlySpan<float> values)
    {
        var slot = Checked(name, values.Length, "gradient");
        Gradients.CopyFrom(slot.Offset, values);
    }

    /// <summary>Uploads the gradients of every tensor in one copy, asking <paramref name="source"/> for each by name.</summary>
    /// <exception cref="ArgumentException">A gradient's length is not its tensor's.</exception>
    public void SetGradients(GradientSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        foreach (var slot in Slots)
        {
            var values = source(slot.Name);
            Checked(slot.Name, values.Length, "gradient");
            values.CopyTo(_staging.AsSpan(slot.Offset, slot.Length));
        }

        Gradients.CopyFrom(_staging);
    }

    /// <summary>The L2 norm of all gradients together (float64 accumulation).</summary>
    public float GradientNorm() => (float)Accelerator.Vectors.L2Norm(Gradients);

    /// <summary>Clips all gradients together to a global L2 norm of at most <paramref name="maxNorm"/> (see <see cref="VectorKernels.ClipByGlobalNorm"/>); returns the norm before clipping.</summary>
    public float ClipGradients(float maxNorm) => (float)Accelerator.Vectors.ClipByGlobalNorm([Gradients], maxNorm);

    /// <summary>Overwrites one tensor's parameters (loading a checkpoint, or a new global version).</summary>
    public void SetParameters(string name, ReadOnlySpan<float> values)
    {
        var slot = Checked(name, values.Length, "parameter");
        Parameters.CopyFrom(slot.Offset, values);
    }

    /// <summary>Downloads one tensor's parameters into <paramref name="destination"/> (exactly its length).</summary>
    public void CopyParametersTo(string name, Span<float> destination)
    {
        var slot = Checked(name, destination.Length, "destination");
        Parameters.CopyTo(slot.Offset, destination);
    }

    /// <summary>Downloads every tensor's parameters, by name.</summary>
    public IReadOnlyList<(string Name, float[] Values)> DownloadParameters()
    {
        var all = Parameters.ToArray();
        return [.. Slots.Select(s => (s.Name, all.AsSpan(s.Offset, s.Length).ToArray()))];
    }

    /// <summary>Frees the parameter and gradient vectors.</summary>
    public void Dispose()
    {
        Parameters.Dispose();
        Gradients.Dispose();
    }

    private ParameterSlot Checked(string name, int length, string what)
    {
        var slot = Slot(name);
        return length == slot.Length
            ? slot
            : throw new ArgumentException($"parameter buffer: {what} for '{name}' has {length} values, the tensor has {slot.Length}");
    }
}
