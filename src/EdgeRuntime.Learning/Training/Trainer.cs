using EdgeRuntime.Graph.Autodiff;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Kernels.Training;

namespace EdgeRuntime.Learning.Training;

/// <summary>
/// Trains chosen parameters of a model on ONNX Runtime in one run: a <see cref="TrainingSession"/> made for the run and
/// closed after it (callers that train the same model again and again keep a <see cref="TrainingSession"/> instead, or
/// pass theirs to <see cref="Train(TrainingSession, IReadOnlyDictionary{string, float[]}, SupervisedData, TrainingOptions, OptimizerState?, IProgress{TrainingProgress}?, Action{CancellationToken}?, CancellationToken)"/>).
/// Runs on the calling thread (one intra-op thread by default), so the caller decides its priority; <c>beforeStep</c>
/// lets an on-device scheduler pause it while inference is busy. The options and the data are checked by the session.
/// </summary>
public sealed class Trainer(Func<IReadOnlyList<float[]>, TrainingOptions, IParameterUpdater> createUpdater)
{
    /// <summary>Trains <paramref name="model"/> (not changed; see <see cref="TrainedParameters.ApplyTo"/>).</summary>
    /// <exception cref="ArgumentException">The request, options or data do not fit the model (one line says why).</exception>
    /// <exception cref="TrainingGraphException">A gradient must flow through an operator without a rule.</exception>
    public TrainingResult Train(Model model, TrainingRequest request, SupervisedData data, TrainingOptions options, IProgress<TrainingProgress>? progress = null, Action<CancellationToken>? beforeStep = null, CancellationToken cancellationToken = default)
    {
        using var session = Open(model, request, data, options);
        return session.Train(data, options, createUpdater, progress, beforeStep, cancellationToken);
    }

    /// <summary>
    /// Trains <paramref name="model"/> with the optimiser continuing from <paramref name="continueFrom"/> (null starts
    /// fresh) and returns the optimiser's final state with the result (see <see cref="TrainingSession.Train(SupervisedData, IReadOnlyDictionary{string, float[]}?, OptimizerState?, TrainingOptions, Func{IReadOnlyList{float[]}, TrainingOptions, IParameterUpdater}, IProgress{TrainingProgress}?, Action{CancellationToken}?, CancellationToken)"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The request, options, data or optimiser state do not fit the model (one line says why).</exception>
    /// <exception cref="TrainingGraphException">A gradient must flow through an operator without a rule.</exception>
    public TrainingResult Train(Model model, TrainingRequest request, SupervisedData data, TrainingOptions options, OptimizerState? continueFrom, IProgress<TrainingProgress>? progress = null, Action<CancellationToken>? beforeStep = null, CancellationToken cancellationToken = default)
    {
        using var session = Open(model, request, data, options);
        return session.Train(data, start: null, continueFrom, options, createUpdater, progress, beforeStep, cancellationToken);
    }

    /// <summary>
    /// Trains in an open <paramref name="session"/> from <paramref name="start"/> (every trainable parameter's values by
    /// name), the optimiser continuing from <paramref name="continueFrom"/> when given; the result carries the
    /// optimiser's final state. The session stays open for the next run.
    /// </summary>
    /// <exception cref="ArgumentException">The options, data, start values or optimiser state do not fit (one line says why).</exception>
    public TrainingResult Train(TrainingSession session, IReadOnlyDictionary<string, float[]> start, SupervisedData data, TrainingOptions options, OptimizerState? continueFrom = null, IProgress<TrainingProgress>? progress = null, Action<CancellationToken>? beforeStep = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(start);
        return session.Train(data, start, continueFrom, options, createUpdater, progress, beforeStep, cancellationToken);
    }

    private static TrainingSession Open(Model model, TrainingRequest request, SupervisedData data, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return TrainingSession.Create(model, request, data, options.IntraOpThreads);
    }
}
