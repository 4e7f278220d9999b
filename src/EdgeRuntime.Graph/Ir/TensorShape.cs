using System.Collections.Immutable;

namespace EdgeRuntime.Graph.Ir;

/// <summary>A tensor's shape of known rank; each dimension may be known, symbolic or unknown. Immutable.</summary>
public sealed class TensorShape : IEquatable<TensorShape>
{
    /// <summary>Creates a shape from its dimensions.</summary>
    public TensorShape(IEnumerable<Dim> dims) => Dims = [.. dims];

    /// <summary>The dimensions, outermost first.</summary>
    public ImmutableArray<Dim> Dims { get; }

    /// <summary>The number of dimensions.</summary>
    public int Rank => Dims.Length;

    /// <summary>Whether every dimension is known.</summary>
    public bool IsFullyKnown => Dims.All(d => d.IsKnown);

    /// <summary>A scalar (rank 0).</summary>
    public static TensorShape Scalar { get; } = new([]);

    /// <summary>A fully known shape.</summary>
    public static TensorShape Of(params long[] dims) => new(dims.Select(Dim.Known));

    /// <summary>The number of elements, when every dimension is known.</summary>
    public long? ElementCount()
    {
        long count = 1;
        foreach (var dim in Dims)
        {
            if (dim.Value is not { } value)
            {
                return null;
            }

            count = checked(count * value);
        }

        return count;
    }

    /// <summary>The known sizes; only valid when <see cref="IsFullyKnown"/>.</summary>
    public long[] ToArray() => [.. Dims.Select(d => d.Value ?? throw new InvalidOperationException($"shape {this} is not fully known"))];

    public bool Equals(TensorShape? other) => other is not null && Dims.SequenceEqual(other.Dims);

    public override bool Equals(object? obj) => Equals(obj as TensorShape);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var dim in Dims)
        {
            hash.Add(dim);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => $"[{string.Join(",", Dims)}]";
}
