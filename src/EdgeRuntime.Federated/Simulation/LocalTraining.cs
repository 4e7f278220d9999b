using EdgeRuntime.Federated.Updates;
using EdgeRuntime.Graph.Autodiff;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Kernels.Training;
using EdgeRuntime.Learning.Data;
using EdgeRuntime.Learning.Training;

namespace EdgeRuntime.Federated.Simulation;

/// <summary>
/// A device's local round, as the daemon's learner runs it: the global version's parameters written into the model,
/// then <see cref="Trainer"/> (training graph on ONNX Runtime, Adam on ILGPU kernels) for a few epochs on the device's
/// examples, without early stopping (the aggregator, not the device, decides what the fleet keeps). With
/// <paramref name="keepOptimizerState"/> each device's optimiser continues from its own previous round (its moment
/// estimates carried over onto the new global version) rather than starting fresh. The training graph's session is
/// opened once and serves every round (its parameters are inputs). With <paramref name="learningRateCosine"/> = N &gt; 0
/// the local learning rate of a round that starts from the campaign's t-th version is the configured rate times
/// ½(1 + cos(π·min(t, N)/N)) (<see cref="Aggregation.CampaignSchedule"/>): FedAvg's fixed point on non-IID data sits
/// away from the pooled optimum by an amount that grows with the local rate times the local steps (client drift), and
/// a server step that decays does not move that point; a local rate that decays does. Not thread-safe; dispose to free the session.
/// </summary>
public sealed class LocalTraining(Model model, ParameterLayout layout, TrainingOptions options, LossKind loss = LossKind.MeanAbsoluteError, bool keepOptimizerState = false, int learningRateCosine = 0) : IDisposable
{
    private readonly TrainingRequest _request = new([.. ControlVariates.ModelPart(layout).Tensors.Select(t => t.Name)], loss);
    private readonly ParameterLayout _weights = ControlVariates.ModelPart(layout);
    private readonly int _modelLength = ControlVariates.ModelLength(layout);
    private TrainingSession? _session;

    /// <summary>The settings.</summary>
    public TrainingOptions Options => options;

    /// <summary>The trained tensors.</summary>
    public ParameterLayout Layout => layout;

    /// <summary>Whether the optimiser's state is carried from one round of a device to its next.</summary>
    public bool KeepsOptimizerState => keepOptimizerState;

    /// <summary>
    /// Trains from <paramref name="start"/> on <paramref name="data"/>; returns the trained values (the layout's order)
    /// and, when <see cref="KeepsOptimizerState"/>, the optimiser state to hand to the device's next round
    /// (<paramref name="optimizer"/> is this device's state from its previous round, null at its first).
    /// </summary>
    /// <param name="start">The global version's parameters.</param>
    /// <param name="data">The device's examples.</param>
    /// <param name="seed">Shuffling seed.</param>
    /// <param name="optimizer">The device's optimiser state from its previous round.</param>
    /// <param name="campaignStep">Versions since the campaign's first (the base version's index; drives the local rate's schedule).</param>
    /// <param name="controlVariate">This device's SCAFFOLD cᵢ from its previous round (model values, the layout's order; null: 0). Used only when the layout carries control variates.</param>
    /// <param name="cancellationToken">Stops training.</param>
    /// <remarks>
    /// With control variates in the layout, <paramref name="start"/>'s control half is the fleet's c: every local
    /// gradient is corrected by c − cᵢ (<see cref="Device.ControlVariateUpdater"/>), the round's mean raw gradient
    /// becomes the device's next cᵢ (<see cref="LocalRound.ControlVariate"/>), and the trained vector's control half
    /// is that cᵢ, which the update carries as a level (<see cref="ControlVariates"/>).
    /// </remarks>
    public LocalRound Train(ReadOnlySpan<float> start, ForecastDataset data, int seed, OptimizerState? optimizer = null, long campaignStep = 0, float[]? controlVariate = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count < 2 || (learningRateCosine > 0 && campaignStep >= learningRateCosine))
        {
            // No step: the weights stay, and the control half repeats the device's cᵢ (0 before its first round).
            var unchanged = start.ToArray();
            if (_modelLength < layout.Length)
            {
                Array.Clear(unchanged, _modelLength, unchanged.Length - _modelLength);
                controlVariate?.CopyTo(unchanged, _modelLength);
            }

            return new LocalRound(unchanged, optimizer, controlVariate);
        }

        var examples = new ForecastTrainingData(data);
        _session ??= TrainingSession.Create(model, _request, examples, options.IntraOpThreads);
        var controls = _modelLength < layout.Length;
        float[][]? correction = null;
        if (controls)
        {
            var fleet = start[_modelLength..];
            var difference = new float[_modelLength];
            for (var i = 0; i < difference.Length; i++)
            {
                difference[i] = fleet[i] - (controlVariate?[i] ?? 0f);
            }

            var split = _weights.Split(difference);
            correction = [.. _weights.Tensors.Select(t => split[t.Name])];
        }

        Device.ControlVariateUpdater? wrapped = null;
        IParameterUpdater Create(IReadOnlyList<float[]> parameters, TrainingOptions o) =>
            wrapped = new Device.ControlVariateUpdater(KernelUpdaters.Create(parameters, o), parameters, correction);
        var result = new Trainer(controls ? Create : KernelUpdaters.Create).Train(_session, _weights.Split(start[.._modelLength]), examples, options with { Seed = seed, LearningRate = Aggregation.CampaignSchedule.Cosine(options.LearningRate, campaignStep, learningRateCosine) }, keepOptimizerState ? optimizer : null, cancellationToken: cancellationToken);
        var trained = new float[layout.Length];
        _weights.Flatten(result.Parameters).CopyTo(trained, 0);
        if (!controls)
        {
            return new LocalRound(trained, keepOptimizerState ? result.OptimizerState : null, null);
        }

        // The updater's parameters are the weights' tensors in the layout's order, so its tensors concatenate to the flat form.
        var next = wrapped!.MeanRawGradient().SelectMany(g => g).ToArray();
        next.CopyTo(trained, _modelLength);

        return new LocalRound(trained, keepOptimizerState ? result.OptimizerState : null, next);
    }

    /// <inheritdoc />
    public void Dispose() => _session?.Dispose();
}

/// <summary>What a local round produced.</summary>
/// <param name="Parameters">The trained values, in the layout's order.</param>
/// <param name="Optimizer">The optimiser's state after the round (null unless kept).</param>
/// <param name="ControlVariate">The device's SCAFFOLD cᵢ after the round (the mean raw gradient over its steps, model values in the layout's order); null without control variates.</param>
public sealed record LocalRound(float[] Parameters, OptimizerState? Optimizer, float[]? ControlVariate);
