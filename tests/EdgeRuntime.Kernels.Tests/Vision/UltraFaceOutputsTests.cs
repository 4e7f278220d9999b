using EdgeRuntime.Core.Vision;
using EdgeRuntime.Kernels.Tests.Backends;
using EdgeRuntime.Kernels.Vision;
using EdgeRuntime.Sensors.Camera;
using EdgeRuntime.Sensors.Vision;
using EdgeRuntime.Testing.Models;
using Microsoft.ML.OnnxRuntime;

namespace EdgeRuntime.Kernels.Tests.Vision;

/// <summary>
/// The post-processing on the real UltraFace model's outputs (../shared/models/ultraface-rfb-320, run by ONNX
/// Runtime on a drawn face): the C# SSD decoder reproduces the decoding the with-post-processing export does in its
/// graph, and the kernel selects the same faces as the C# path from the raw head.
/// </summary>
[Collection(nameof(CpuBackend))]
public sealed class UltraFaceOutputsTests(CpuBackend backend)
{
    [Fact]
    public void SsdBoxDecoder_RawHeadOfRealModel_MatchesTheExportsOwnDecoding()
    {
        var input = DrawnFaceInput();
        var (rawScores, regressions) = Run(SharedModels.Require(SharedModels.UltraFaceWithoutPostprocessing), input);
        var (scores, boxes) = Run(SharedModels.Require(SharedModels.UltraFace), input);
        Compare.Within(scores, rawScores, 1e-6, 0, "scores of the two exports");

        // ONNX Runtime evaluates the export's Mul/Add/Exp chain in another order: a few float32 roundings apart.
        Compare.Within(boxes, SsdBoxDecoder.Decode(regressions, UltraFacePriors.Generate()), 1e-5, 1e-5, "decoded boxes");
    }

    [Fact]
    public void Decode_RealModelRawHead_SameFacesAsCSharpPathAndAsTheExport()
    {
        var input = DrawnFaceInput();
        var (scores, regressions) = Run(SharedModels.Require(SharedModels.UltraFaceWithoutPostprocessing), input);
        var (exportScores, exportBoxes) = Run(SharedModels.Require(SharedModels.UltraFace), input);
        var priors = UltraFacePriors.Generate();
        var thresholds = new DetectionThresholds(0.3f, 0.3f, 200);
        using var decoder = new KernelDetectionDecoder(backend.Kernels, priors);
        var kernel = decoder.Decode(scores, regressions, thresholds);
        var reference = new UltraFaceDecoder(0.3f, 0.3f, 200);
        KernelDetectionDecoderContract.AssertSame(reference.Decode(scores, SsdBoxDecoder.Decode(regressions, priors)), kernel, scores, backend);
        TestContext.Current.TestOutputHelper?.WriteLine($"{kernel.Count} faces, best {kernel.FirstOrDefault()}");
        var export = reference.Decode(exportScores, exportBoxes);
        Assert.Equal(export.Count, kernel.Count);
        Assert.NotEmpty(kernel);
        for (var i = 0; i < export.Count; i++)
        {
            Compare.Within([export[i].Left, export[i].Top, export[i].Right, export[i].Bottom], [kernel[i].Left, kernel[i].Top, kernel[i].Right, kernel[i].Bottom], 1e-5, 0, $"face {i}");
        }
    }

    /// <summary>A 640 × 480 frame with a face drawn on it (skin-tone oval, eyes, brows, mouth), pre-processed for UltraFace.</summary>
    private static float[] DrawnFaceInput()
    {
        const int width = 640, height = 480;
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                (byte R, byte G, byte B) color = (90, 110, 130);
                double dx = (x - 320) / 110.0, dy = (y - 230) / 150.0;
                if ((dx * dx) + (dy * dy) < 1)
                {
                    color = (225, 180, 150);
                    var eye = Math.Min(Math.Pow(x - 280, 2) + Math.Pow(y - 200, 2), Math.Pow(x - 360, 2) + Math.Pow(y - 200, 2));
                    if (eye < 150)
                    {
                        color = (40, 30, 30);
                    }
                    else if (y is > 175 and < 182 && Math.Abs(Math.Abs(x - 320) - 40) < 22)
                    {
                        color = (70, 50, 40);
                    }
                    else if (y is > 285 and < 295 && Math.Abs(x - 320) < 35)
                    {
                        color = (150, 60, 60);
                    }
                    else if (Math.Abs(x - 320) < 8 && y is > 215 and < 260)
                    {
                        color = (205, 155, 125);
                    }
                }

                var at = ((y * width) + x) * 3;
                (rgb[at], rgb[at + 1], rgb[at + 2]) = color;
            }
        }

        var settings = new FramePreprocessing(320, 240);
        var input = new float[settings.OutputLength];
        new ImagePreprocessor(settings).Prepare(rgb, width, height, input);
        return input;
    }

    private static (float[] Scores, float[] Boxes) Run(string model, float[] input)
    {
        // The 2019 export lists its weights as graph inputs too; ONNX Runtime warns about each one.
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(model, options);
        using var tensor = OrtValue.CreateTensorValueFromMemory(input, [1, 3, 240, 320]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["input"], [tensor], ["scores", "boxes"]);
        return (outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[1].GetTensorDataAsSpan<float>().ToArray());
    }
}
