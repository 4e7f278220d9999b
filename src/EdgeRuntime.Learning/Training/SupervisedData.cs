namespace EdgeRuntime.Learning.Training;

/// <summary>
/// Examples a <see cref="Trainer"/> learns from: one model input per example, and either float targets with
/// per-element weights (regression; weight 0 leaves an element out of the loss) or a class index (classification).
/// Examples are in a meaningful order (time order for recordings): the validation slice is cut from the end.
/// </summary>
public abstract class SupervisedData
{
    /// <summary>Examples.</summary>
    public abstract int Count { get; }

    /// <summary>The model input the examples feed.</summary>
    public abstract string InputName { get; }

    /// <summary>Shape of one example's input (without the batch dimension).</summary>
    public abstract IReadOnlyList<long> InputShape { get; }

    /// <summary>Shape of one example's target (without the batch dimension); empty for a class index.</summary>
    public abstract IReadOnlyList<long> TargetShape { get; }

    /// <summary>Whether targets are class indices (int64) rather than float values.</summary>
    public virtual bool ClassTargets => false;

    /// <summary>Example <paramref name="index"/>'s input, row-major.</summary>
    public abstract ReadOnlySpan<float> Input(int index);

    /// <summary>Example <paramref name="index"/>'s float targets (regression).</summary>
    public virtual ReadOnlySpan<float> Target(int index) => throw new NotSupportedException("these examples have class targets");

    /// <summary>Example <paramref name="index"/>'s target weights (regression; 1 = use, 0 = leave out).</summary>
    public virtual ReadOnlySpan<float> Weight(int index) => throw new NotSupportedException("these examples have class targets");

    /// <summary>Example <paramref name="index"/>'s class (classification).</summary>
    public virtual long Class(int index) => throw new NotSupportedException("these examples have float targets");

    /// <summary>Values in one example's input.</summary>
    public long InputSize => InputShape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Values in one example's target (1 for a class index).</summary>
    public long TargetSize => TargetShape.Aggregate(1L, (a, b) => a * b);
}
