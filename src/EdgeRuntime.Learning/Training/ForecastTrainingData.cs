using EdgeRuntime.Learning.Data;

namespace EdgeRuntime.Learning.Training;

/// <summary>A <see cref="ForecastDataset"/> as training examples: windows in, one weighted target per horizon.</summary>
/// <param name="dataset">The examples, in time order.</param>
/// <param name="inputName">The model's window input. Default "window".</param>
public sealed class ForecastTrainingData(ForecastDataset dataset, string inputName = "window") : SupervisedData
{
    /// <summary>The dataset.</summary>
    public ForecastDataset Dataset { get; } = dataset;

    /// <inheritdoc />
    public override int Count => Dataset.Count;

    /// <inheritdoc />
    public override string InputName { get; } = inputName;

    /// <inheritdoc />
    public override IReadOnlyList<long> InputShape { get; } = [dataset.Spec.Window, dataset.Spec.RowWidth];

    /// <inheritdoc />
    public override IReadOnlyList<long> TargetShape { get; } = [dataset.Horizons];

    /// <inheritdoc />
    public override ReadOnlySpan<float> Input(int index) => Dataset.Window(index);

    /// <inheritdoc />
    public override ReadOnlySpan<float> Target(int index) => Dataset.Target(index);

    /// <inheritdoc />
    public override ReadOnlySpan<float> Weight(int index) => Dataset.Weight(index);
}
