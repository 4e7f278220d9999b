namespace EdgeRuntime.Federated.Updates;

/// <summary>
/// The trainable tensors of a model, flattened in a fixed order into one vector: what an update's delta, the
/// aggregator's sums and the global parameters share. Immutable.
/// </summary>
public sealed class ParameterLayout : IEquatable<ParameterLayout>
{
    private readonly Dictionary<string, int> _index;

    /// <summary>Creates a layout of <paramref name="tensors"/> (name, element count) in that order.</summary>
    /// <exception cref="ArgumentException">No tensors, a repeated name or a non-positive length.</exception>
    public ParameterLayout(IReadOnlyList<(string Name, int Length)> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0)
        {
            throw new ArgumentException("a parameter layout needs at least one tensor", nameof(tensors));
        }

        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        var offsets = new int[tensors.Count];
        long total = 0;
        for (var i = 0; i < tensors.Count; i++)
        {
            var (name, length) = tensors[i];
            if (string.IsNullOrEmpty(name) || length < 1 || !_index.TryAdd(name, i))
            {
                throw new ArgumentException($"parameter layout: tensor '{name}' of {length} values is repeated, unnamed or empty", nameof(tensors));
            }

            offsets[i] = (int)total;
            total += length;
            if (total > int.MaxValue / 2)
            {
                throw new ArgumentException($"parameter layout: {total} parameters are more than this version handles", nameof(tensors));
            }
        }

        Tensors = [.. tensors];
        Offsets = offsets;
        Length = (int)total;
    }

    /// <summary>The tensors in order.</summary>
    public IReadOnlyList<(string Name, int Length)> Tensors { get; }

    /// <summary>Where each tensor starts in the flat vector.</summary>
    public IReadOnlyList<int> Offsets { get; }

    /// <summary>Values in all tensors.</summary>
    public int Length { get; }

    /// <summary>Flattens named values into one vector in this layout.</summary>
    /// <exception cref="ArgumentException">A tensor is missing or has another length.</exception>
    public float[] Flatten(IReadOnlyDictionary<string, float[]> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var flat = new float[Length];
        for (var i = 0; i < Tensors.Count; i++)
        {
            var (name, length) = Tensors[i];
            if (!values.TryGetValue(name, out var tensor) || tensor.Length != length)
            {
                throw new ArgumentException($"parameter '{name}': {(tensor is null ? "missing" : $"{tensor.Length} values")}, the layout has {length}");
            }

            tensor.CopyTo(flat, Offsets[i]);
        }

        return flat;
    }

    /// <summary>Splits a flat vector into named tensors (copies).</summary>
    public Dictionary<string, float[]> Split(ReadOnlySpan<float> flat)
    {
        if (flat.Length != Length)
        {
            throw new ArgumentException($"a vector of {flat.Length} values does not fit a layout of {Length}");
        }

        var named = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (var i = 0; i < Tensors.Count; i++)
        {
            named[Tensors[i].Name] = flat.Slice(Offsets[i], Tensors[i].Length).ToArray();
        }

        return named;
    }

    /// <summary>A one-line description: "5 tensors, 9300 values".</summary>
    public override string ToString() => $"{Tensors.Count} tensors, {Length} values";

    /// <inheritdoc />
    public bool Equals(ParameterLayout? other) =>
        other is not null && other.Tensors.Count == Tensors.Count && Tensors.Zip(other.Tensors).All(p => p.First.Name == p.Second.Name && p.First.Length == p.Second.Length);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ParameterLayout);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Length, Tensors.Count, Tensors[0].Name);
}
