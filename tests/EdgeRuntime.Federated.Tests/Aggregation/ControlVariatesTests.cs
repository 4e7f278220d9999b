using EdgeRuntime.Core.Compute;
using EdgeRuntime.Federated.Aggregation;
using EdgeRuntime.Federated.Device;
using EdgeRuntime.Federated.Privacy;
using EdgeRuntime.Federated.Signing;
using EdgeRuntime.Federated.Updates;
using EdgeRuntime.Graph.Onnx;
using EdgeRuntime.Kernels.Accelerators;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRuntime.Federated.Tests.Aggregation;

public sealed class ControlVariatesTests : IDisposable
{
    private static readonly ParameterLayout Weights = new([("w", 3), ("b", 2)]);
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("edge-scaffold-test-");
    private readonly KernelAccelerator _accelerator = KernelAccelerator.Create(KernelPreference.Cpu);
    private readonly DeviceKey _alice = DeviceKey.Create();
    private readonly DeviceKey _bob = DeviceKey.Create();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        _alice.Dispose();
        _bob.Dispose();
        _accelerator.Dispose();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public void Extend_AppendsOneControlPerTensorInOrder_ModelLengthFindsTheSeam()
    {
        var layout = ControlVariates.Extend(Weights);

        Assert.Equal(["w", "b", "scaffold.c/w", "scaffold.c/b"], layout.Tensors.Select(t => t.Name));
        Assert.Equal(5, ControlVariates.ModelLength(layout));
        Assert.Equal(5, ControlVariates.ModelLength(Weights));
        Assert.True(ControlVariates.Has(layout));
        Assert.False(ControlVariates.Has(Weights));
        Assert.Equal(Weights, ControlVariates.ModelPart(layout));
        Assert.Throws<ArgumentException>(() => ControlVariates.Extend(layout));
    }

    [Fact]
    public void ModelLength_ControlsOutOfOrderOrMissing_Refused()
    {
        Assert.Throws<ArgumentException>(() => ControlVariates.ModelLength(new([("w", 3), ("b", 2), ("scaffold.c/b", 2), ("scaffold.c/w", 3)])));
        Assert.Throws<ArgumentException>(() => ControlVariates.ModelLength(new([("w", 3), ("b", 2), ("scaffold.c/w", 3)])));
        Assert.Throws<ArgumentException>(() => ControlVariates.ModelLength(new([("w", 3), ("scaffold.c/w", 2)])));
    }

    [Fact]
    public void ClipParts_EachHalfToTheBoundOnItsOwn()
    {
        // Weights' half has norm 5 (3-4-0-0-0), the controls' half norm 50: one bound of 10 over both would have cut the weights.
        float[] delta = [3, 4, 0, 0, 0, 30, 40, 0, 0, 0];

        var norm = ControlVariates.ClipParts(delta, 5, 10);

        Assert.Equal(5, norm, 6);
        Assert.Equal([3f, 4f, 0f, 0f, 0f], delta[..5]);
        Assert.Equal(6, delta[5], 5);
        Assert.Equal(8, delta[6], 5);
    }

    [Fact]
    public void ServerStep_WeightsByTheServerOptimizer_ControlByTheParticipatingShareOfTheMeanChange()
    {
        var options = new AggregationOptions { ServerOptimizer = ServerOptimizerKind.FedAvgM, ServerMomentum = 0.5, ServerLearningRate = 1, ExpectedParticipants = 4 };
        float[] parameters = [1, 1, 1, 1, 1, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f];
        float[] delta = [0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f];

        var (first, state) = ControlVariates.ServerStep(parameters, delta, 5, 2, ServerOptimizerState.Initial, options);
        var (second, _) = ControlVariates.ServerStep(first, delta, 5, 2, state, options);

        // Weights: heavy-ball m = 0.1, then 0.5·0.1 + 0.1 = 0.15. Control: c += (2/4)·0.2 each time, no momentum.
        Assert.Equal(1.1f, first[0], 5);
        Assert.Equal(1.25f, second[0], 5);
        Assert.Equal(0.6f, first[5], 5);
        Assert.Equal(0.7f, second[5], 5);
        Assert.Equal(5, state.Momentum!.Length);

        // Without controls it is the server optimiser itself.
        var (plain, _) = ControlVariates.ServerStep(parameters[..5], delta[..5], 5, 2, ServerOptimizerState.Initial, options);
        Assert.Equal(ServerOptimizer.Step(parameters[..5], delta[..5], ServerOptimizerState.Initial, options).Parameters, plain);
    }

    [Fact]
    public void Aggregate_UpdatesCarryingControlChanges_VersionFileCarriesTheFleetsControlVariate()
    {
        var model = GlobalModel.FromBytes(TinyForecaster.Bytes(), controlVariates: true);
        var weights = ControlVariates.ModelLength(model.Layout);
        using var enrolled = EnrolledDevices.Of([("alice", _alice.PublicKeyPem), ("bob", _bob.PublicKeyPem)]);
        var options = new AggregationOptions { Mode = AggregationMode.FedBuff, BufferSize = 2, ClipNorm = 10, ExpectedParticipants = 4 };
        using var core = AggregatorCore.Open(new AggregatorSettings("traffic", "lead", AggregatorRole.Lead, _folder.FullName, options), model, enrolled, (_, _, _) => "no partials here", _time, NullLogger.Instance);

        // The template holds no control variate yet: c starts at 0.
        Assert.All(model.InitialParameters[weights..], c => Assert.Equal(0f, c));
        var version = core.Aggregate(force: false);
        Assert.Null(version);
        core.Ingest([Update(model, "a1", "alice", _alice, 0.001f, 0.01f, 100), Update(model, "b1", "bob", _bob, 0.004f, 0.03f, 300)]);
        version = core.Aggregate();

        Assert.NotNull(version);
        var written = GlobalModel.FromBytes(File.ReadAllBytes(version.Path), controlVariates: true).ReadParameters(version.Path);

        // Weights: the sample-weighted mean, server SGD η 1. Control: (2 of 4 expected)·(100·0.01 + 300·0.03)/400.
        Assert.Equal(model.InitialParameters[0] + 0.00325f, written[0], 5);
        Assert.Equal(0.0125f, written[weights], 5);
        Assert.Equal(0.0125f, written[^1], 5);

        // The served graph is unchanged: the metadata names only the weights, a reader without controls still reads them.
        var file = OnnxModelReader.Read(version.Path);
        Assert.DoesNotContain("scaffold.c/", file.Metadata.Single(m => m.Key == GlobalModel.TrainableMetadataKey).Value, StringComparison.Ordinal);
        Assert.Equal(written[..weights], TinyForecaster.Global().ReadParameters(version.Path));
    }

    [Fact]
    public void Build_NoiseWithControlVariates_RefusedWithOneLine()
    {
        var layout = ControlVariates.Extend(Weights);
        var start = new float[layout.Length];
        var request = new UpdateRequest("d-u1", "traffic", 1, "d", 10, _time.GetUtcNow(), layout, start, start);

        var error = Assert.Throws<ArgumentException>(() => new UpdateBuilder(_accelerator).Build(request, new UpdateOptions { ClipNorm = 1, NoiseMultiplier = 1 }, DeviceUpdateState.Empty, _alice, GaussianNoise.Seeded(1)));

        Assert.Contains("control variates", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    // Weights move by `step`, controls by `controlStep` (f32, so the expected means are exact).
    private byte[] Update(GlobalModel model, string id, string device, DeviceKey key, float step, float controlStep, long samples)
    {
        var weights = ControlVariates.ModelLength(model.Layout);
        var start = model.InitialParameters;
        var trained = start.Select((v, i) => v + (i < weights ? step : controlStep)).ToArray();
        var request = new UpdateRequest(id, "traffic", model.TemplateVersion, device, samples, _time.GetUtcNow(), model.Layout, start, trained);
        return new UpdateBuilder(_accelerator).Build(request, new UpdateOptions { ClipNorm = 10, Encoding = UpdateEncoding.Float32 }, DeviceUpdateState.Empty, key, GaussianNoise.Seeded(1)).Bytes;
    }
}
