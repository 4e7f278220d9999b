using EdgeRuntime.Graph.Autodiff;
using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Learning.Training;

/// <summary>
/// Trains chosen parameters of a model on ONNX Runtime in one run: a <see cref="TrainingSession"/> made for the run and
/// closed after it (callers that train the same model again and again keep a <see cref="TrainingSession"/> instead).
/// Runs on the calling thread (one intra-op thread by default), so the caller decides its priority; <c>beforeStep</c>
/// lets an on-device scheduler pause it while inference is busy.
/// </summary>
public sealed class Trainer(Func<IReadOnlyList<float[]>, TrainingOptions, IParameterUpdater> createUpdater)
{
    /// <summary>Trains <paramref name="model"/> (not changed; see <see cref="TrainedParameters.ApplyTo"/>).</summary>
    /// <exception cref="ArgumentException">The request, options or data do not fit the model (one line says why).</exception>
    /// <exception cref="TrainingGraphException">A gradient must flow through an operator without a rule.</exception>
    public TrainingResult Train(Model model, TrainingRequest request, SupervisedData data, TrainingOptions options, IProgress<TrainingProgress>? progress = null, Action<CancellationToken>? beforeStep = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Check() is { } problem)
        {
            throw new ArgumentException($"training options: {problem}", nameof(options));
        }

        if (data.Count < 2)
        {
            throw new ArgumentException($"{data.Count} training example(s); at least 2 are needed", nameof(data));
        }

        using var session = TrainingSession.Create(model, request, data, options.IntraOpThreads);
        return session.Train(data, options, createUpdater, progress, beforeStep, cancellationToken);
    }
}
