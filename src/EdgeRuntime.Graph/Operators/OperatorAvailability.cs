using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Passes;

namespace EdgeRuntime.Graph.Operators;

/// <summary>
/// Whether a pass may emit an operator into a model: it must exist in its domain at the version the model imports
/// (LayerNormalization is ai.onnx from opset 17, so not in an opset 13 model), or belong to ONNX Runtime's
/// com.microsoft contrib set when the target has those kernels. Every pass that creates a node asks here first.
/// </summary>
public static class OperatorAvailability
{
    // ONNX Runtime contrib operators (docs/ContribOperators.md, com.microsoft, version 1) that passes emit.
    private static readonly HashSet<string> MicrosoftOperators = new(StringComparer.Ordinal) { "Attention", "Gelu" };

    /// <summary>
    /// Whether <paramref name="op"/> of <paramref name="domain"/> can be added to <paramref name="model"/>, with at least
    /// the definition of <paramref name="minimumDefinition"/> (for operators whose earlier definitions meant something
    /// else: Gemm before 7 needed a broadcast attribute for a vector bias).
    /// </summary>
    public static bool CanEmit(Model model, PassContext context, string domain, string op, int minimumDefinition = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(context);
        if (domain == "com.microsoft")
        {
            return context.Target.SupportsMicrosoftContribOps && MicrosoftOperators.Contains(op) && (model.OpsetVersion(domain) ?? 1) >= 1;
        }

        return model.OpsetVersion(domain) is { } version && OnnxOperatorTable.DefinitionAt(domain, op, version) is { } definition && definition >= minimumDefinition;
    }
}
