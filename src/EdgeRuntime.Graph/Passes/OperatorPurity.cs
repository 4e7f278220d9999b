using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Graph.Passes;

/// <summary>
/// Which operators are pure functions of their inputs and attributes. A pure node may be computed ahead of time
/// (constant folding) or merged with an identical twin (common-subexpression elimination); an impure one draws
/// anew on every run, so either rewrite would change what the model computes. Passes ask here, never keep their own list.
/// </summary>
public static class OperatorPurity
{
    // ai.onnx random generators (Operators.md: RandomNormal, RandomUniform, their -Like forms, Bernoulli, Multinomial).
    private static readonly HashSet<string> RandomOperators = new(StringComparer.Ordinal)
    {
        "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Bernoulli", "Multinomial",
    };

    // ONNX Runtime's contrib dropouts (com.microsoft), random in training mode like Dropout.
    private static readonly HashSet<string> MicrosoftRandomOperators = new(StringComparer.Ordinal)
    {
        "BiasDropout", "BitmaskDropout", "BitmaskBiasDropout",
    };

    // Domains whose operators are known; an operator of any other (custom) domain may do anything.
    private static readonly HashSet<string> KnownDomains = new(StringComparer.Ordinal) { string.Empty, "ai.onnx", "ai.onnx.ml", "com.microsoft" };

    /// <summary>
    /// Whether two runs of <paramref name="node"/> on the same inputs give the same outputs. False for random
    /// operators, for Dropout unless it is known to be in inference mode, and for operators of unknown domains.
    /// </summary>
    public static bool IsPure(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (!KnownDomains.Contains(node.Domain))
        {
            return false;
        }

        if (node.Domain == "com.microsoft")
        {
            return !MicrosoftRandomOperators.Contains(node.OpType);
        }

        if (node.Domain.Length > 0 && node.Domain != "ai.onnx")
        {
            return true;
        }

        return node.OpType switch
        {
            _ when RandomOperators.Contains(node.OpType) => false,
            "Dropout" => IsInferenceDropout(node),
            _ => true,
        };
    }

    /// <summary>
    /// Whether a Dropout node is the identity: from opset 12 its mode is input 2 (training_mode, absent = false), and
    /// only a constant false makes it certain; opsets 1 and 6 have an is_test attribute (absent = 0 = training);
    /// opsets 7 to 10 have neither and are inference-only.
    /// </summary>
    public static bool IsInferenceDropout(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.Attribute("is_test") is { } isTest)
        {
            return isTest.Kind == AttributeKind.Int && isTest.Int != 0;
        }

        return node.Input(2) is not { } trainingMode ||
            (Shapes.ConstantValues.Of(trainingMode) is { ElementCount: > 0 } flag && flag.ElementType != DataType.String && flag.ToDoubleArray().All(v => v == 0));
    }
}
