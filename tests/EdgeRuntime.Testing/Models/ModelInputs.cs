using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Inference.Verification;

namespace EdgeRuntime.Testing.Models;

/// <summary>Inputs for the shared real models: random where random is valid, given where a model needs meaning.</summary>
public static class ModelInputs
{
    /// <summary>Shapes for free dimensions, per model.</summary>
    public static IReadOnlyDictionary<string, long[]>? Shapes(string model) =>
        model.Contains("ppocr-v4-rec", StringComparison.Ordinal) ? new Dictionary<string, long[]> { ["x"] = [1, 3, 48, 320] }
        : model.Contains("ppocr-mobile", StringComparison.Ordinal) ? new Dictionary<string, long[]> { ["x"] = [1, 3, 48, 192] }
        : model.Contains("minilm", StringComparison.Ordinal) ? new Dictionary<string, long[]> { ["input_ids"] = [1, 128], ["attention_mask"] = [1, 128], ["token_type_ids"] = [1, 128] }
        : model.Contains("silero_vad_legacy", StringComparison.Ordinal) ? new Dictionary<string, long[]> { ["input"] = [1, 512], ["h"] = [2, 1, 64], ["c"] = [2, 1, 64] }
        : model.Contains("silero", StringComparison.Ordinal) ? new Dictionary<string, long[]> { ["input"] = [1, 512], ["state"] = [2, 1, 128] }
        : null;

    /// <summary>Inputs with fixed values: Silero VAD takes its sample rate, 16000.</summary>
    public static IReadOnlyDictionary<string, Tensor>? FixedValues(string model) =>
        model.Contains("silero", StringComparison.Ordinal) ? new Dictionary<string, Tensor> { ["sr"] = Tensor.Scalar(16000L) } : null;

    /// <summary>A full set of inputs for <paramref name="model"/> (a path or name containing the model's folder).</summary>
    public static Dictionary<string, Tensor> For(string model, Model ir, int seed = 7) =>
        InputGenerator.Generate(ir, seed, Shapes(model), FixedValues(model));
}
