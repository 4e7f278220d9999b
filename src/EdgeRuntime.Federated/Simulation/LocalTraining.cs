using EdgeRuntime.Federated.Updates;
using EdgeRuntime.Graph.Autodiff;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Learning.Data;
using EdgeRuntime.Learning.Training;

namespace EdgeRuntime.Federated.Simulation;

/// <summary>
/// A device's local round, as the daemon's learner runs it: the global version's parameters written into the model,
/// then <see cref="Trainer"/> (training graph on ONNX Runtime, Adam on ILGPU kernels) for a few epochs on the device's
/// examples, without early stopping (the aggregator, not the device, decides what the fleet keeps). Not thread-safe:
/// one model instance is reused.
/// </summary>
public sealed class LocalTraining(Model model, ParameterLayout layout, TrainingOptions options, LossKind loss = LossKind.MeanAbsoluteError)
{
    private readonly TrainingRequest _request = new([.. layout.Tensors.Select(t => t.Name)], loss);

    /// <summary>The settings.</summary>
    public TrainingOptions Options => options;

    /// <summary>The trained tensors.</summary>
    public ParameterLayout Layout => layout;

    /// <summary>Trains from <paramref name="start"/> on <paramref name="data"/>; returns the trained values (the layout's order).</summary>
    public float[] Train(ReadOnlySpan<float> start, ForecastDataset data, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count < 2)
        {
            return start.ToArray();
        }

        TrainedParameters.ApplyTo(model, layout.Split(start));
        var result = new Trainer(KernelUpdaters.Create).Train(model, _request, new ForecastTrainingData(data), options with { Seed = seed }, cancellationToken: cancellationToken);
        return layout.Flatten(result.Parameters);
    }
}
