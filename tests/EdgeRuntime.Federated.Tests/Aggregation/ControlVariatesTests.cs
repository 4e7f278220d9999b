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

        var (model, control) = ControlVariates.ClipParts(delta, 5, 10);

        Assert.Equal(5, model, 6);
        Assert.Equal(50, control, 6);
        Assert.Equal([3f, 4f, 0f, 0f, 0f], delta[..5]);
        Assert.Equal(6, delta[5], 5);
        Assert.Equal(8, delta[6], 5);
    }

    [Fact]
    public void ServerStep_WeightsByTheServerOptimizer_ControlSetToTheLevels()
    {
        var options = new AggregationOptions { ServerOptimizer = ServerOptimizerKind.FedAvgM, ServerMomentum = 0.5, ServerLearningRate = 1 };
        float[] parameters = [1, 1, 1, 1, 1, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f];
        float[] delta = [0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f];

        var (first, state) = ControlVariates.ServerStep(parameters, delta, 5, [0.3f, 0.3f, 0.3f, 0.3f, 0.3f], ServerOptimizerState.Initial, options);
        var (second, _) = ControlVariates.ServerStep(first, delta, 5, [0.2f, 0.2f, 0.2f, 0.2f, 0.2f], state, options);

        // Weights: heavy-ball m = 0.1, then 0.5·0.1 + 0.1 = 0.15. Control: the levels themselves, no momentum, no sum.
        Assert.Equal(1.1f, first[0], 5);
        Assert.Equal(1.25f, second[0], 5);
        Assert.Equal(0.3f, first[5]);
        Assert.Equal(0.2f, second[9]);
        Assert.Equal(5, state.Momentum!.Length);

        // Without controls it is the server optimiser itself.
        var (plain, _) = ControlVariates.ServerStep(parameters[..5], delta[..5], 5, [], ServerOptimizerState.Initial, options);
        Assert.Equal(ServerOptimizer.Step(parameters[..5], delta[..5], ServerOptimizerState.Initial, options).Parameters, plain);
    }

    [Fact]
    public void Levels_SampleWeightedWithoutStaleness()
    {
        var sums = new PartialSums(4);
        sums.Add(3, [0.1f, 0.1f, 1f, 2f], 100);
        sums.Add(1, [0.1f, 0.1f, 3f, 6f], 300);

        // (100·1 + 300·3)/400 = 2.5 and (100·2 + 300·6)/400 = 5: the stale group (base 1) counts in full.
        Assert.Equal([2.5f, 5f], ControlVariates.Levels(sums, 2));
    }

    [Theory]
    [InlineData(CombineRule.Median)]
    [InlineData(CombineRule.TrimmedMean)]
    public void Open_RobustRuleWithControlVariates_RefusedWithOneLine(CombineRule rule)
    {
        var model = GlobalModel.FromBytes(TinyForecaster.Bytes(), controlVariates: true);
        using var enrolled = EnrolledDevices.Of([("alice", _alice.PublicKeyPem)]);

        var error = Assert.Throws<ArgumentException>(() => AggregatorCore.Open(new AggregatorSettings("traffic", "lead", AggregatorRole.Lead, _folder.FullName, new AggregationOptions { Combine = rule, ClipNorm = 10 }), model, enrolled, (_, _, _) => "no partials here", _time, NullLogger.Instance));

        Assert.Contains("control variates", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Aggregate_UpdatesCarryingLevels_VersionFileCarriesTheirMean_TheNextVersionReplacesIt()
    {
        var model = GlobalModel.FromBytes(TinyForecaster.Bytes(), controlVariates: true);
        var weights = ControlVariates.ModelLength(model.Layout);
        using var enrolled = EnrolledDevices.Of([("alice", _alice.PublicKeyPem), ("bob", _bob.PublicKeyPem)]);
        var options = new AggregationOptions { Mode = AggregationMode.FedBuff, BufferSize = 2, ClipNorm = 10 };
        using var core = AggregatorCore.Open(new AggregatorSettings("traffic", "lead", AggregatorRole.Lead, _folder.FullName, options), model, enrolled, (_, _, _) => "no partials here", _time, NullLogger.Instance);

        // The template holds no control variate yet: c starts at 0.
        Assert.All(model.InitialParameters[weights..], c => Assert.Equal(0f, c));
        core.Ingest([Update(model, model.InitialParameters, "a1", "alice", _alice, model.TemplateVersion, 0.001f, 0.01f, 100), Update(model, model.InitialParameters, "b1", "bob", _bob, model.TemplateVersion, 0.004f, 0.03f, 300)]);
        var version = core.Aggregate();

        Assert.NotNull(version);
        var written = GlobalModel.FromBytes(File.ReadAllBytes(version.Path), controlVariates: true).ReadParameters(version.Path);

        // Weights: the sample-weighted mean change, server SGD η 1. Control: the sample-weighted mean level, (100·0.01 + 300·0.03)/400.
        Assert.Equal(model.InitialParameters[0] + 0.00325f, written[0], 5);
        Assert.Equal(0.025f, written[weights], 5);
        Assert.Equal(0.025f, written[^1], 5);

        // The next version's c is the next buffer's levels, not a running sum: one stale level of 0.02 and one of 0.01.
        core.Ingest([Update(model, written, "a2", "alice", _alice, version.Version, 0.001f, 0.02f, 100), Update(model, written, "b2", "bob", _bob, model.TemplateVersion, 0.001f, 0.01f, 100)]);
        var next = core.Aggregate();
        Assert.NotNull(next);
        Assert.Equal(0.015f, model.ReadParameters(next.Path)[weights], 5);

        // The served graph is unchanged: the metadata names only the weights, a reader without controls still reads them.
        var file = OnnxModelReader.Read(version.Path);
        Assert.DoesNotContain("scaffold.c/", file.Metadata.Single(m => m.Key == GlobalModel.TrainableMetadataKey).Value, StringComparison.Ordinal);
        Assert.Equal(written[..weights], TinyForecaster.Global().ReadParameters(version.Path));
    }

    [Fact]
    public void FromBytes_AVersionOfAnEarlierCampaign_CStartsAtZero_AndALayoutWithoutControlsDropsThem()
    {
        var model = GlobalModel.FromBytes(TinyForecaster.Bytes(), controlVariates: true);
        var weights = ControlVariates.ModelLength(model.Layout);
        var values = model.InitialParameters.ToArray();
        Array.Fill(values, 0.5f, weights, values.Length - weights);
        var path = Path.Combine(_folder.FullName, "earlier.onnx");
        model.WriteVersion(7, values, path);
        Assert.Equal(0.5f, model.ReadParameters(path)[^1]);

        var again = GlobalModel.FromBytes(File.ReadAllBytes(path), controlVariates: true);
        Assert.All(again.InitialParameters[weights..], c => Assert.Equal(0f, c));

        var plain = GlobalModel.FromBytes(File.ReadAllBytes(path));
        var plainPath = Path.Combine(_folder.FullName, "plain.onnx");
        plain.WriteVersion(8, plain.InitialParameters, plainPath);
        Assert.DoesNotContain(OnnxModelReader.Read(plainPath).Graph.Initializers, v => ControlVariates.IsControl(v.Name));
    }

    [Fact]
    public void Build_NonFiniteControlHalf_RefusedOnTheDevice()
    {
        var layout = ControlVariates.Extend(Weights);
        var start = new float[layout.Length];
        var trained = new float[layout.Length];
        trained[^1] = float.PositiveInfinity;
        var request = new UpdateRequest("d-u1", "traffic", 1, "d", 10, _time.GetUtcNow(), layout, start, trained);

        var error = Assert.Throws<ArgumentException>(() => new UpdateBuilder(_accelerator).Build(request, new UpdateOptions { ClipNorm = 1 }, DeviceUpdateState.Empty, _alice, GaussianNoise.Seeded(1)));

        Assert.Contains("not finite", error.Message, StringComparison.Ordinal);
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

    // Weights move by `step` from `start`; the control half is the level `level` (f32, so the expected means are exact).
    private byte[] Update(GlobalModel model, float[] start, string id, string device, DeviceKey key, long baseVersion, float step, float level, long samples)
    {
        var weights = ControlVariates.ModelLength(model.Layout);
        var trained = start.Select((v, i) => i < weights ? v + step : level).ToArray();
        var request = new UpdateRequest(id, "traffic", baseVersion, device, samples, _time.GetUtcNow(), model.Layout, start, trained);
        return new UpdateBuilder(_accelerator).Build(request, new UpdateOptions { ClipNorm = 10, Encoding = UpdateEncoding.Float32 }, DeviceUpdateState.Empty, key, GaussianNoise.Seeded(1)).Bytes;
    }
}
