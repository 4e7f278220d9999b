using EdgeRuntime.Graph.Autodiff;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Inference.Optimization;
using EdgeRuntime.Inference.Runtime;
using EdgeRuntime.Learning.Training;
using EdgeRuntime.Testing.Models;

namespace EdgeRuntime.Learning.Tests.Classification;

public sealed class ClassifierHeadFineTuneTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-finetune-").FullName;

    [Fact]
    public void MnistHead_OnStrokesTheTestDrew_AccuracyRises_ExportedModelPassesTheVerifier()
    {
        var path = SharedModels.Require(SharedModels.Mnist);
        var model = OnnxModelReader.Read(path);
        var data = Strokes.Make(count: 90, seed: 4);
        var head = TrainableSelection.DefaultHead(model);
        var before = Accuracy(File.ReadAllBytes(path), data);

        var options = new TrainingOptions { Epochs = 12, BatchSize = 1, LearningRate = 3e-3, ValidationFraction = 0, WeightDecay = 0, Schedule = LearningRateSchedule.Constant };
        var result = new Trainer(KernelUpdaters.Create).Train(model, new TrainingRequest(head, LossKind.SoftmaxCrossEntropy), data, options, cancellationToken: TestContext.Current.CancellationToken);
        TrainedParameters.ApplyTo(model, result.Parameters);
        var trainedPath = Path.Combine(_folder, "mnist.tuned.onnx");
        File.WriteAllBytes(trainedPath, OnnxModelWriter.ToBytes(model));
        var after = Accuracy(File.ReadAllBytes(trainedPath), data);
        output.WriteLine($"trained {string.Join(", ", head)}: accuracy {before:P0} → {after:P0}; loss {result.TrainingLoss[0]:0.000} → {result.TrainingLoss[^1]:0.000}");

        Assert.True(after >= 0.9 && after > before + 0.3, $"accuracy {before:P0} → {after:P0}");
        Assert.DoesNotContain(head, name => name is "Parameter5" or "Parameter87");

        // The tuned file goes through the optimiser like any version; the reference is the same weights, unoptimised.
        var optimised = new ModelOptimizer().Optimize(new OptimizeRequest { InputPath = trainedPath, MeasureCandidates = false }, TestContext.Current.CancellationToken);
        Assert.True(optimised.Verification.Passed, optimised.Verification.Failure);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static double Accuracy(byte[] model, Strokes data)
    {
        using var session = ModelSession.Create(model, new SessionSettings { IntraOpThreads = 1 });
        var correct = 0;
        for (var i = 0; i < data.Count; i++)
        {
            var logits = session.RunFloat(data.InputName, data.Input(i).ToArray(), [1, 1, 28, 28])[0].Values;
            correct += Array.IndexOf(logits, logits.Max()) == data.Class(i) ? 1 : 0;
        }

        return (double)correct / data.Count;
    }

    // 28×28 images of one stroke on a dark background, the MNIST input's scale (0–255): class 0 a horizontal bar,
    // 1 a vertical bar, 2 a diagonal — at random positions, thickness and brightness.
    private sealed class Strokes : SupervisedData
    {
        private readonly float[] _pixels;
        private readonly long[] _classes;

        private Strokes(float[] pixels, long[] classes)
        {
            _pixels = pixels;
            _classes = classes;
        }

        public override int Count => _classes.Length;

        public override string InputName => "Input3";

        public override IReadOnlyList<long> InputShape => [1, 28, 28];

        public override IReadOnlyList<long> TargetShape => [];

        public override bool ClassTargets => true;

        public override ReadOnlySpan<float> Input(int index) => _pixels.AsSpan(index * 784, 784);

        public override long Class(int index) => _classes[index];

        public static Strokes Make(int count, int seed)
        {
            var random = new Random(seed);
            var pixels = new float[count * 784];
            var classes = new long[count];
            for (var i = 0; i < count; i++)
            {
                var kind = i % 3;
                classes[i] = kind;
                var offset = random.Next(8, 20);
                var thickness = random.Next(2, 4);
                var brightness = 180 + random.Next(75);
                for (var y = 0; y < 28; y++)
                {
                    for (var x = 0; x < 28; x++)
                    {
                        var on = kind switch
                        {
                            0 => y >= offset && y < offset + thickness && x is > 4 and < 24,
                            1 => x >= offset && x < offset + thickness && y is > 4 and < 24,
                            _ => Math.Abs(x - y - (offset - 14)) < thickness && x is > 3 and < 25,
                        };
                        pixels[(i * 784) + (y * 28) + x] = on ? brightness : random.Next(20);
                    }
                }
            }

            return new Strokes(pixels, classes);
        }
    }
}
