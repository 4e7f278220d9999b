using EdgeRuntime.Graph.Autodiff;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Learning.Training;

/// <summary>
/// A model's training graph (forward pass, loss, gradients) in an ONNX Runtime session, ready for many runs of
/// <see cref="Trainer.Train(TrainingSession, IReadOnlyDictionary{string, float[]}, SupervisedData, TrainingOptions, Kernels.Training.OptimizerState?, IProgress{TrainingProgress}?, Action{CancellationToken}?, CancellationToken)"/>:
/// the parameters are inputs, so one session serves any starting values. Building the graph and the session costs far
/// more than a short run's steps, so callers that train the same model again and again (simulated federated rounds)
/// open it once. Not thread-safe; dispose to free the session.
/// </summary>
public sealed class TrainingSession : IDisposable
{
    private TrainingSession(TrainingGraph graph, InferenceSession session, IReadOnlyList<long[]> shapes, bool classTargets)
    {
        Graph = graph;
        Session = session;
        Shapes = shapes;
        ClassTargets = classTargets;
    }

    /// <summary>The trainable parameters, in the order the session takes them.</summary>
    public IReadOnlyList<string> Parameters => Graph.ParameterInputs;

    internal TrainingGraph Graph { get; }

    internal InferenceSession Session { get; }

    internal IReadOnlyList<long[]> Shapes { get; }

    internal bool ClassTargets { get; }

    /// <summary>Builds the training graph of <paramref name="request"/> on <paramref name="model"/> and its session.</summary>
    /// <param name="model">The model (not changed).</param>
    /// <param name="request">What to train and the loss.</param>
    /// <param name="classTargets">Whether the data's targets are class indices (no per-value weights).</param>
    /// <param name="intraOpThreads">ONNX Runtime intra-op threads.</param>
    /// <exception cref="TrainingGraphException">A gradient must flow through an operator without a rule.</exception>
    public static TrainingSession Open(Model model, TrainingRequest request, bool classTargets, int intraOpThreads = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(request);
        var output = request.Output ?? model.Graph.Outputs[0].Name;
        var loss = new LossTerm(request.Loss, output, Trainer.TargetInput, classTargets ? null : Trainer.WeightInput, request.HuberDelta);
        var training = TrainingGraphBuilder.Build(model, new TrainingGraphRequest([loss], request.Trainable));
        var shapes = training.ParameterInputs.Select(name => model.Graph.FindValue(name)!.Initializer!.Dims.ToArray()).ToList();
        using var sessionOptions = new SessionOptions { IntraOpNumThreads = intraOpThreads, InterOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        return new TrainingSession(training, new InferenceSession(OnnxModelWriter.ToBytes(training.Model), sessionOptions), shapes, classTargets);
    }

    /// <inheritdoc />
    public void Dispose() => Session.Dispose();
}
