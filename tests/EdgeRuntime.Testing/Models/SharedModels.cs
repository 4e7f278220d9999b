namespace EdgeRuntime.Testing.Models;

/// <summary>
/// The real models in ../shared/models (each with a SOURCE.txt). On a machine without them tests skip with
/// the reason; under CI (CI=true) their absence fails the test.
/// </summary>
public static class SharedModels
{
    /// <summary>
    /// The models folder: $EDGE_SHARED_MODELS, else ../shared/models beside the repository (a test executable run
    /// outside a checkout without the variable finds none, and its model tests skip).
    /// </summary>
    public static string Root { get; } =
        Environment.GetEnvironmentVariable("EDGE_SHARED_MODELS") is { Length: > 0 } configured
            ? configured
            : Path.GetFullPath(Path.Combine(TestEnvironment.RepositoryRootIfAny ?? AppContext.BaseDirectory, "..", "shared", "models"));

    /// <summary>Whether the folder exists.</summary>
    public static bool Available => Directory.Exists(Root);

    public static string MiniLm => Path.Combine("minilm-l6-v2", "model.onnx");

    public static string Mnist => Path.Combine("mnist-cntk", "mnist.onnx");

    public static string PpOcrClassifier => Path.Combine("ppocr-mobile-v2-cls", "ch_ppocr_mobile_v2.0_cls_infer.onnx");

    public static string PpOcrRecogniser => Path.Combine("ppocr-v4-rec", "ch_PP-OCRv4_rec_infer.onnx");

    public static string SileroLegacy => Path.Combine("silero-vad", "silero_vad_legacy.onnx");

    public static string SileroV5 => Path.Combine("silero-vad", "silero_vad_v5.onnx");

    public static string UltraFace => Path.Combine("ultraface-rfb-320", "version-RFB-320.onnx");

    public static string UltraFaceSimplified => Path.Combine("ultraface-rfb-320", "version-RFB-320_simplified.onnx");

    public static string UltraFaceWithoutPostprocessing => Path.Combine("ultraface-rfb-320", "version-RFB-320_without_postprocessing.onnx");

    /// <summary>Every real (non-conformance) model, relative to <see cref="Root"/>.</summary>
    public static IReadOnlyList<string> RealModels { get; } =
        [MiniLm, Mnist, PpOcrClassifier, PpOcrRecogniser, SileroLegacy, SileroV5, UltraFace, UltraFaceSimplified, UltraFaceWithoutPostprocessing];

    /// <summary>The shared recordings folder (../shared/data beside the models).</summary>
    public static string DataRoot => Path.GetFullPath(Path.Combine(Root, "..", "data"));

    /// <summary>The full path of a shared recording; skips the test (fails it under CI) when it is missing.</summary>
    public static string RequireData(string relativePath)
    {
        var path = Path.Combine(DataRoot, relativePath);
        if (!File.Exists(path))
        {
            TestEnvironment.SkipOrFail($"the shared recording {path} is not present");
        }

        return path;
    }

    /// <summary>The full path of a model; skips the test (fails it under CI) when the folder is missing.</summary>
    public static string Require(string relativePath)
    {
        if (!Available)
        {
            TestEnvironment.SkipOrFail($"the shared models folder {Root} is not present");
        }

        var path = Path.Combine(Root, relativePath);
        if (!File.Exists(path))
        {
            TestEnvironment.SkipOrFail($"{path} is missing");
        }

        return path;
    }
}
