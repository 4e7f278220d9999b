using EdgeRuntime.Core.Compute;
using EdgeRuntime.Core.Vision;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Inference.Runtime;
using EdgeRuntime.Kernels.Accelerators;
using EdgeRuntime.Kernels.Vision;
using EdgeRuntime.Pipelines.Configuration;
using EdgeRuntime.Sensors.Camera;
using EdgeRuntime.Testing.Models;
using Attribute = EdgeRuntime.Graph.Ir.Attribute;

namespace EdgeRuntime.Pipelines.Tests.Stages;

public sealed class CameraPipelineTests
{
    [Fact]
    public async Task UltraFace_OnImageFiles_PublishesTheBoxesTheModelFinds()
    {
        var modelPath = SharedModels.Require(SharedModels.UltraFace);
        var options = new PipelineOptions { Name = "faces", Model = new() { Name = "ultraface" }, Stage = new() { Type = StageKind.UltraFace, ScoreThreshold = 0.02 } };
        await using var rig = PipelineRig.Create(options, File.ReadAllBytes(modelPath));
        var random = new Random(5);
        for (var i = 0; i < 3; i++)
        {
            // Smooth blobs over noise: enough structure for the detector to score some priors above the threshold.
            TestImages.WritePpm(Path.Combine(rig.Folder, $"frame-{i}.ppm"), 640, 480, (x, y) =>
            {
                var d = Math.Sqrt(Math.Pow(x - 320 - (i * 40), 2) + Math.Pow(y - 220, 2));
                var skin = d < 120 ? 200 - (int)(d / 2) : 60;
                var n = random.Next(30);
                return ((byte)Math.Min(255, skin + n), (byte)Math.Min(255, (skin * 0.8) + n), (byte)Math.Min(255, (skin * 0.7) + n));
            });
        }

        await File.WriteAllTextAsync(Path.Combine(rig.Folder, "broken.png"), "not an image", TestContext.Current.CancellationToken);
        var source = new ImageFolderSource("camera-1", new ImageFolderOptions { Folder = rig.Folder, FramesPerSecond = 0 }, TimeProvider.System);

        await source.RunAsync(rig.Pipeline, TestContext.Current.CancellationToken);
        await rig.DrainAsync();

        Assert.Equal(1, source.Unreadable);
        Assert.Contains("broken.png", source.LastError, StringComparison.Ordinal);
        var results = rig.Results.Documents.ToList();
        Assert.Equal(3, results.Count);

        // Every published box is one of the model's own candidates for that frame, run here on a plain session.
        using var session = ModelSession.Create(File.ReadAllBytes(modelPath));
        var preprocessor = new ImagePreprocessor(320, 240);
        var boxesSeen = 0;
        foreach (var result in results)
        {
            var frame = ImageFolderSource.Decode(Path.Combine(rig.Folder, result.GetProperty("frame").GetString()!));
            var outputs = session.Run(new Dictionary<string, Tensor> { ["input"] = Tensor.From<float>(preprocessor.Prepare(frame), [1, 3, 240, 320]) });
            var scores = outputs["scores"].AsSpan<float>().ToArray();
            var corners = outputs["boxes"].AsSpan<float>().ToArray();
            var published = result.GetProperty("boxes").EnumerateArray().ToList();
            Assert.Equal(published.Count, result.GetProperty("count").GetInt32());
            foreach (var box in published)
            {
                var score = box.GetProperty("score").GetDouble();
                Assert.True(score > 0.02);
                var match = Enumerable.Range(0, scores.Length / 2).Any(p =>
                    Math.Abs(scores[(p * 2) + 1] - score) < 1e-4
                    && Math.Abs(Math.Clamp(corners[p * 4], 0, 1) - box.GetProperty("left").GetDouble()) < 1e-4
                    && Math.Abs(Math.Clamp(corners[(p * 4) + 3], 0, 1) - box.GetProperty("bottom").GetDouble()) < 1e-4);
                Assert.True(match, $"box {box} is not a candidate of the model");
                boxesSeen++;
            }
        }

        Assert.True(boxesSeen > 0, "no frame produced a box above 0.02; the test images need more structure");
    }

    [Fact]
    public async Task UltraFace_KernelPreprocessing_PublishesTheBoxesOfTheCSharpPath()
    {
        // The same frames through the detector stage twice: frames pre-processed by the C# path, and by the ILGPU
        // kernel (CPU accelerator) behind the stage's seam. Inputs differ by float32 roundings (≤ 3·10⁻⁷), so the
        // published boxes (rounded to 4 decimals) agree to a unit in the last place.
        var modelPath = SharedModels.Require(SharedModels.UltraFace);
        var options = new PipelineOptions { Name = "faces", Model = new() { Name = "ultraface" }, Stage = new() { Type = StageKind.UltraFace, ScoreThreshold = 0.02 } };
        using var kernels = KernelAccelerator.Create(KernelPreference.Cpu);
        using var factory = new KernelFramePreprocessorFactory(kernels);
        var published = new List<List<(string Frame, double[] Box)>>();
        foreach (var preprocessors in new IFramePreprocessorFactory?[] { null, factory })
        {
            await using var rig = PipelineRig.Create(options, File.ReadAllBytes(modelPath), framePreprocessors: preprocessors);
            for (var i = 0; i < 2; i++)
            {
                TestImages.WritePpm(Path.Combine(rig.Folder, $"frame-{i}.ppm"), 800 + (i * 160), 600, (x, y) =>
                {
                    var d = Math.Sqrt(Math.Pow(x - 400 - (i * 60), 2) + Math.Pow(y - 280, 2));
                    var skin = d < 150 ? 210 - (int)(d / 2) : 50 + ((x * 7) + (y * 13)) % 40;
                    return ((byte)skin, (byte)(skin * 0.8), (byte)(skin * 0.7));
                });
            }

            var source = new ImageFolderSource("camera-1", new ImageFolderOptions { Folder = rig.Folder, FramesPerSecond = 0 }, TimeProvider.System);
            await source.RunAsync(rig.Pipeline, TestContext.Current.CancellationToken);
            await rig.DrainAsync();
            published.Add([.. rig.Results.Documents
                .SelectMany(r => r.GetProperty("boxes").EnumerateArray().Select(b => (r.GetProperty("frame").GetString()!, new[] { "left", "top", "right", "bottom", "score" }.Select(k => b.GetProperty(k).GetDouble()).ToArray())))
                .OrderBy(b => b.Item1, StringComparer.Ordinal).ThenByDescending(b => b.Item2[4])]);
        }

        Assert.NotEmpty(published[0]);
        Assert.Equal(published[0].Count, published[1].Count);
        foreach (var (csharp, kernel) in published[0].Zip(published[1]))
        {
            Assert.Equal(csharp.Frame, kernel.Frame);
            Assert.All(csharp.Box.Zip(kernel.Box), v => Assert.Equal(v.First, v.Second, 2e-4));
        }
    }

    [Fact]
    public async Task VirtualLoop_SyntheticFramesCrossingThreeTimes_CountsThree()
    {
        var options = new PipelineOptions
        {
            Name = "crossings",
            Model = new() { Name = "blobs" },
            Stage = new() { Type = StageKind.Heatmap, ScoreThreshold = 0.5, CountingLine = [0.5, 0, 0.5, 1], PixelMean = 0, PixelScale = 255 },
        };
        await using var rig = PipelineRig.Create(options, BrightBlobDetector());
        int[] cells = [1, 2, 3, 4, 5, 4, 3, 2, 3, 4, 5, 6];
        for (var i = 0; i < cells.Length; i++)
        {
            var cell = cells[i];
            TestImages.WritePpm(Path.Combine(rig.Folder, $"frame-{i:D2}.ppm"), 64, 64, (x, y) =>
                x / 8 == cell && y / 8 == 3 ? ((byte)255, (byte)255, (byte)255) : ((byte)0, (byte)0, (byte)0));
        }

        var source = new ImageFolderSource("gate", new ImageFolderOptions { Folder = rig.Folder, FramesPerSecond = 0 }, TimeProvider.System);
        await source.RunAsync(rig.Pipeline, TestContext.Current.CancellationToken);
        await rig.DrainAsync();

        var results = rig.Results.Documents.OrderBy(r => r.GetProperty("frame").GetString(), StringComparer.Ordinal).ToList();
        Assert.Equal(cells.Length, results.Count);
        Assert.All(results, r => Assert.Equal(1, r.GetProperty("count").GetInt32()));
        var last = results[^1].GetProperty("crossings");
        Assert.Equal(3, last.GetProperty("total").GetInt64());
        Assert.Equal(2, last.GetProperty("forward").GetInt64());
        Assert.Equal(1, last.GetProperty("backward").GetInt64());
        Assert.Equal([0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0], results.Select(r => r.GetProperty("crossed").GetInt32()));
    }

    /// <summary>A detector built in code: 8×8 max-pooling of a 64×64 grey image gives an 8×8 objectness map.</summary>
    private static byte[] BrightBlobDetector()
    {
        var graph = new Graph.Ir.Graph("blob_detector");
        var model = new Model(graph) { IrVersion = 8 };
        model.OpsetImports.Add(new OpsetImport(string.Empty, 17));
        var image = graph.AddInput("image", new TensorType(DataType.Float, TensorShape.Of(1, 1, 64, 64)));
        var pooled = graph.AddNode("MaxPool", [image], ["objectness"], attributes: [Attribute.FromInts("kernel_shape", [8, 8]), Attribute.FromInts("strides", [8, 8])]);
        graph.AddOutput(pooled.Outputs[0]!);
        return OnnxModelWriter.ToBytes(model);
    }
}
