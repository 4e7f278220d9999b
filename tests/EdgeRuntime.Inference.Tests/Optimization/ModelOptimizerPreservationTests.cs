using EdgeRuntime.Graph.Autodiff;
using EdgeRuntime.Graph.Ir;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Inference.Optimization;
using EdgeRuntime.Inference.Runtime;
using EdgeRuntime.Inference.Verification;
using EdgeRuntime.Testing.Models;

namespace EdgeRuntime.Inference.Tests.Optimization;

/// <summary>
/// The optimised serving model keeps the trainable parameters under the delivered model's names: writing "trained"
/// values into both by name gives the same outputs, so a device can train on the delivered model's training graph and
/// update the served, optimised model without optimising again.
/// </summary>
public sealed class ModelOptimizerPreservationTests
{
    [Fact]
    public void Optimize_MnistAtO3PreservingTheDefaultHead_TrainedValuesMapByName()
    {
        var path = SharedModels.Require(SharedModels.Mnist);
        var delivered = OnnxModelReader.Read(path);
        var trainable = TrainableSelection.DefaultHead(delivered);

        var plain = new ModelOptimizer().Optimize(new OptimizeRequest { InputPath = path, RandomSamples = 1 }, TestContext.Current.CancellationToken);
        var preserving = new ModelOptimizer().Optimize(new OptimizeRequest { InputPath = path, RandomSamples = 1, PreserveInitializers = trainable }, TestContext.Current.CancellationToken);

        // Without preservation the optimiser folds or fuses at least one of them away (this is what the option prevents).
        var plainModel = OnnxModelReader.Read(plain.Model, "plain", null);
        Assert.Contains(trainable, name => plainModel.Graph.FindValue(name)?.Initializer is null);

        Assert.True(preserving.Verification.Passed, preserving.Verification.Failure);
        var served = OnnxModelReader.Read(preserving.Model, "served", null);
        foreach (var name in trainable)
        {
            var tensor = served.Graph.FindValue(name)?.Initializer;
            Assert.True(tensor is not null, $"'{name}' is no initializer of the optimised model");
            Assert.True(tensor.ContentEquals(delivered.Graph.FindValue(name)!.Initializer!), $"'{name}' changed");
        }

        // "Train": new values for every parameter, written by name into both models; the outputs still agree.
        var random = new Random(5);
        foreach (var name in trainable)
        {
            var old = delivered.Graph.FindValue(name)!.Initializer!;
            var trained = Tensor.From<float>([.. old.AsSpan<float>().ToArray().Select(v => v + (float)((random.NextDouble() * 0.2) - 0.1))], [.. old.Dims]);
            delivered.Graph.SetInitializer(delivered.Graph.FindValue(name)!, trained);
            served.Graph.SetInitializer(served.Graph.FindValue(name)!, trained);
        }

        var inputs = InputGenerator.Generate(delivered, seed: 3).Where(i => delivered.Graph.FindValue(i.Key)!.Initializer is null).ToDictionary();
        using var reference = ModelSession.Create(OnnxModelWriter.ToBytes(delivered));
        using var optimised = ModelSession.Create(OnnxModelWriter.ToBytes(served));
        var expected = reference.Run(inputs)["Plus214_Output_0"].ToDoubleArray();
        var actual = optimised.Run(inputs)["Plus214_Output_0"].ToDoubleArray();
        var scale = expected.Max(Math.Abs);
        Assert.All(expected.Zip(actual), pair => Assert.True(Math.Abs(pair.First - pair.Second) <= 1e-5 * scale, $"{pair.First} vs {pair.Second}"));
    }
}
