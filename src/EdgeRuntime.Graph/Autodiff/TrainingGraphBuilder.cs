using EdgeRuntime.Graph.Autodiff.Losses;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Graph.Passes.Restructuring;
using EdgeRuntime.Graph.Shapes;

namespace EdgeRuntime.Graph.Autodiff;

/// <summary>
/// Derives a training model from an inference model by reverse-mode differentiation over the IR. The result is an
/// ordinary ONNX model (ONNX Runtime runs it): the forward graph, the loss, and for every node between a trainable
/// parameter and the loss the operators its <see cref="GradientRule"/> emits. Pure: the inference model is not
/// changed. Not thread-safe per model (it reads the model while copying).
/// </summary>
public static class TrainingGraphBuilder
{
    /// <summary>The operators a gradient can flow through ("domain.Op" outside ai.onnx).</summary>
    public static IReadOnlyList<string> SupportedOperators => GradientRules.Operators;

    /// <summary>
    /// Builds the training model. Trainable initializers become graph inputs of the same names (a trainer feeds the
    /// current values every step, so one ONNX Runtime session serves all steps); frozen initializers stay
    /// initializers. Outputs: the scalar loss, then ∂loss/∂parameter for each parameter, shaped like it (zeros when
    /// the loss does not depend on it). Operators emitted are those of the model's imported opset.
    /// </summary>
    /// <exception cref="TrainingGraphException">
    /// A gradient must flow through an operator without a rule (the message names the node and operator), a loss term
    /// or trainable name is wrong, or a rule cannot apply (e.g. an unknown shape it needs).
    /// </exception>
    public static TrainingGraph Build(Model inference, TrainingGraphRequest request)
    {
        ArgumentNullException.ThrowIfNull(inference);
        ArgumentNullException.ThrowIfNull(request);
        if (request.Losses.Count == 0)
        {
            throw new TrainingGraphException("the training graph request has no loss term");
        }

        var parameters = TrainableSelection.Named(inference, request.Trainable);
        if (parameters.Count == 0)
        {
            throw new TrainingGraphException("the training graph request names no trainable initializer");
        }

        var model = ForwardGraphCopy.Copy(inference, parameters.ToHashSet(StringComparer.Ordinal));

        // IR 3 requires every initializer to be a graph input; the constants the gradients use are not inputs.
        model.IrVersion = Math.Max(model.IrVersion, 4);
        Specialise(model, request.InputShapes);
        ShapeInference.Run(model);

        var graph = model.Graph;
        var forward = graph.TopologicalOrder();
        var emit = new GradientEmitter(model);
        var loss = LossTermEmitter.Emit(emit, request.Losses);
        var parameterValues = parameters.Select(p => graph.FindValue(p)!).ToList();
        var gradients = new ReverseSweep(emit).Run(forward, parameterValues, loss.Seeds);

        emit.Node = null;
        emit.Scope = "outputs";
        var lossType = graph.FindValue(request.Losses[0].Output)!.TensorType!.ElementType;
        var lossOutput = graph.AddNode("Identity", [loss.Loss], ["loss"], name: "loss_output").Output;
        lossOutput.Type = new TensorType(lossType, TensorShape.Scalar);
        var outputs = new List<Value> { lossOutput };
        var gradientOutputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var parameter in parameterValues)
        {
            var tensorType = parameter.TensorType!;
            var gradient = gradients[parameter]
                ?? emit.Constant(emit.Floats(tensorType.ElementType, new double[tensorType.Shape!.ElementCount()!.Value], tensorType.Shape.ToArray()), "zero_gradient");
            var output = graph.AddNode("Identity", [gradient], [$"{parameter.Name}_grad"], name: $"{parameter.Name}_grad_output").Output;
            output.Type = tensorType;
            gradientOutputs[parameter.Name] = output.Name;
            outputs.Add(output);
        }

        graph.SetOutputs(outputs);
        RemoveDeadCode(graph);
        GraphVerifier.ThrowIfInvalid(model, "training graph");
        return new TrainingGraph(
            model,
            lossOutput.Name,
            parameters,
            gradientOutputs,
            [.. inference.Graph.Inputs.Where(i => i.Initializer is null).Select(i => i.Name)],
            loss.Targets,
            loss.Weights);
    }

    private static void Specialise(Model model, IReadOnlyDictionary<string, long[]> shapes)
    {
        if (shapes.Count == 0)
        {
            return;
        }

        try
        {
            new SpecializeShapes().Run(model, new PassContext { InputShapes = shapes });
        }
        catch (ArgumentException ex)
        {
            throw new TrainingGraphException($"InputShapes: {ex.Message}", ex);
        }
    }

    /// <summary>Drops forward nodes neither the loss nor a gradient reads (other outputs, a final Softmax after the logits) and unread constants.</summary>
    private static void RemoveDeadCode(Ir.Graph graph)
    {
        var order = graph.TopologicalOrder();
        for (var i = order.Count - 1; i >= 0; i--)
        {
            if (order[i].Outputs.All(o => o is null || !o.IsUsed))
            {
                graph.RemoveNode(order[i]);
            }
        }

        foreach (var initializer in graph.Initializers.Where(v => !v.IsUsed && !v.IsGraphInput).ToList())
        {
            graph.RemoveValue(initializer);
        }
    }
}
