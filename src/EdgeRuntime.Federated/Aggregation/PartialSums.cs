namespace EdgeRuntime.Federated.Aggregation;

/// <summary>
/// The mean rule's running sums, grouped by the base version the updates started from: per group Σ nᵢ·Δᵢ, Σ nᵢ and the
/// count. The sums are fixed-point integers (Int128 with <see cref="FractionBits"/> fractional bits): a float32 value
/// times an integer weight below 2⁴⁰ is exact in a double, and so is its scaling by 2³², so each contribution is rounded
/// once, the same way wherever it is added — and integer addition is associative. Sums folded by several aggregators
/// therefore combine <em>exactly</em>: any split of the same updates gives the same bits. The staleness weight is
/// applied per group when a version is made (<see cref="AggregationRules"/>), since it depends on that version.
/// Not thread-safe.
/// </summary>
public sealed class PartialSums
{
    /// <summary>Fractional bits of the fixed-point sums (resolution 2⁻³² ≈ 2.3e-10).</summary>
    public const int FractionBits = 32;

    private const double Scale = 4294967296.0; // 2^32
    private readonly SortedDictionary<long, Group> _groups = [];

    /// <summary>Creates empty sums for vectors of <paramref name="length"/> values.</summary>
    public PartialSums(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        Length = length;
    }

    /// <summary>Values per vector.</summary>
    public int Length { get; }

    /// <summary>Updates folded in.</summary>
    public int Count => _groups.Values.Sum(g => g.Count);

    /// <summary>The groups by base version.</summary>
    public IReadOnlyDictionary<long, Group> Groups => _groups;

    /// <summary>Adds <paramref name="weight"/> · <paramref name="delta"/> to the group of <paramref name="baseVersion"/>.</summary>
    /// <exception cref="ArgumentException">The delta's length differs, or the weight is outside 1..2⁴⁰.</exception>
    public void Add(long baseVersion, ReadOnlySpan<float> delta, long weight)
    {
        if (delta.Length != Length)
        {
            throw new ArgumentException($"partial sums of {Length} values cannot take a delta of {delta.Length}");
        }

        if (weight is < 1 or > 1L << 40)
        {
            throw new ArgumentException($"weight {weight} is outside 1..2^40");
        }

        var group = GroupOf(baseVersion);
        var sum = group.Sum;
        for (var i = 0; i < sum.Length; i++)
        {
            sum[i] += ToFixed(delta[i] * (double)weight);
        }

        group.Weight += weight;
        group.Count++;
    }

    /// <summary>Adds every group of <paramref name="other"/> to this one (exact).</summary>
    public void Merge(PartialSums other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Length != Length)
        {
            throw new ArgumentException($"partial sums of {Length} values cannot take sums of {other.Length}");
        }

        foreach (var (version, theirs) in other._groups)
        {
            AddGroup(version, theirs.Sum, theirs.Weight, theirs.Count);
        }
    }

    /// <summary>Adds a group's raw sums (as received from another aggregator).</summary>
    public void AddGroup(long baseVersion, ReadOnlySpan<Int128> sum, long weight, int count)
    {
        if (sum.Length != Length || weight < 0 || count < 0)
        {
            throw new ArgumentException($"a group of {sum.Length} sums (weight {weight}, count {count}) does not fit sums of {Length}");
        }

        var group = GroupOf(baseVersion);
        for (var i = 0; i < sum.Length; i++)
        {
            group.Sum[i] += sum[i];
        }

        group.Weight += weight;
        group.Count += count;
    }

    /// <summary>Removes the groups of base versions for which <paramref name="drop"/> holds; returns how many updates they held.</summary>
    public int RemoveGroups(Func<long, bool> drop)
    {
        ArgumentNullException.ThrowIfNull(drop);
        var removed = 0;
        foreach (var version in _groups.Keys.Where(drop).ToList())
        {
            removed += _groups[version].Count;
            _groups.Remove(version);
        }

        return removed;
    }

    /// <summary>Empties the sums.</summary>
    public void Clear() => _groups.Clear();

    /// <summary>A fixed-point sum as the real number it stands for.</summary>
    public static double ToDouble(Int128 value) => (double)value / Scale;

    private static Int128 ToFixed(double value) => (Int128)Math.Round(value * Scale, MidpointRounding.ToEven);

    private void AddGroup(long version, Int128[] sum, long weight, int count) => AddGroup(version, sum.AsSpan(), weight, count);

    private Group GroupOf(long version)
    {
        if (!_groups.TryGetValue(version, out var group))
        {
            group = new Group(new Int128[Length]);
            _groups[version] = group;
        }

        return group;
    }

    /// <summary>One base version's sums.</summary>
    public sealed class Group(Int128[] sum)
    {
        /// <summary>Σ nᵢ·Δᵢ, fixed point.</summary>
        public Int128[] Sum { get; } = sum;

        /// <summary>Σ nᵢ.</summary>
        public long Weight { get; set; }

        /// <summary>Updates.</summary>
        public int Count { get; set; }
    }
}
