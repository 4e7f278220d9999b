using EdgeRuntime.Core.Compute;
using EdgeRuntime.Federated.Aggregation;
using EdgeRuntime.Federated.Device;
using EdgeRuntime.Federated.Privacy;
using EdgeRuntime.Federated.Signing;
using EdgeRuntime.Federated.Simulation;
using EdgeRuntime.Kernels.Accelerators;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeRuntime.Federated.Tests.Aggregation;

/// <summary>
/// The poisoning attack against the real aggregator (signed 8-bit updates through <see cref="AggregatorCore"/>: verify,
/// fold, combine, server step, version file) with simulated devices: each of 20 devices pulls the global parameters
/// towards its own optimum (a quadratic loss, non-IID optima scattered around the fleet's), and 4 of them (20%) send
/// their change sign-flipped ×10, as <see cref="SimulatedDevice.PoisonScale"/> does in <c>edgectl fl simulate</c>.
/// The aggregator's own clip is off (a bound of 1000), so only the combination rule stands between the attack and the
/// model; the error is the mean absolute distance to the honest devices' optima (their MAE).
/// </summary>
public sealed class PoisoningTests : IDisposable
{
    private const int Devices = 20;
    private const int Attackers = 4;
    private const int Versions = 8;
    private readonly GlobalModel _model = TinyForecaster.Global();
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("edge-poisoning-test-");
    private readonly KernelAccelerator _accelerator = KernelAccelerator.Create(KernelPreference.Cpu);
    private readonly List<DeviceKey> _keys = [.. Enumerable.Range(0, Devices).Select(_ => DeviceKey.Create())];
    private readonly EnrolledDevices _enrolled;
    private readonly float[][] _optima;

    public PoisoningTests()
    {
        _enrolled = EnrolledDevices.Of(_keys.Select((k, i) => ($"d{i}", k.PublicKeyPem)));

        // The fleet's optimum 1 away (L2) from the template; each device's own optimum scattered 0.5 around it.
        var random = new Random(12);
        var n = _model.Layout.Length;
        var fleet = Direction(random, n, 1.0);
        _optima = [.. Enumerable.Range(0, Devices).Select(_ => Direction(random, n, 0.5).Select((x, j) => (float)(_model.InitialParameters[j] + fleet[j] + x)).ToArray())];
    }

    public void Dispose()
    {
        _enrolled.Dispose();
        _keys.ForEach(k => k.Dispose());
        _accelerator.Dispose();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public void SignFlippedTimesTenFromAFifthOfTheDevices_PlainMeanDegradesByHalf_TrimmedMeanAndMedianWithinFivePercentOfTheCleanRun()
    {
        var clean = Run(CombineRule.Mean, attackers: 0);
        var attackedMean = Run(CombineRule.Mean, Attackers);
        var attackedTrimmed = Run(CombineRule.TrimmedMean, Attackers);
        var attackedMedian = Run(CombineRule.Median, Attackers);

        var start = Error(_model.InitialParameters);
        Assert.True(clean < 0.7 * start, $"the clean run learns: error {clean:0.0000} from {start:0.0000}");
        Assert.True(attackedMean > 1.5 * clean, $"the attack works on the plain mean: {attackedMean:0.0000} against {clean:0.0000} clean");
        Assert.True(attackedTrimmed <= 1.05 * clean, $"trimmed mean (β 0.2) under attack: {attackedTrimmed:0.0000} against {clean:0.0000} clean");
        Assert.True(attackedMedian <= 1.05 * clean, $"median under attack: {attackedMedian:0.0000} against {clean:0.0000} clean");
    }

    // Versions rounds of every device training from the newest version; the error of the last version.
    private double Run(CombineRule rule, int attackers)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero));
        var options = new AggregationOptions { BufferSize = Devices, Combine = rule, TrimFraction = 0.2, ClipNorm = 1000 };
        var folder = Path.Combine(_folder.FullName, $"{rule}-{attackers}");
        using var core = AggregatorCore.Open(new AggregatorSettings("traffic", "lead", AggregatorRole.Lead, folder, options), _model, _enrolled, (_, _, _) => "no partials here", time, NullLogger.Instance);
        var builder = new UpdateBuilder(_accelerator);
        for (var round = 0; round < Versions; round++)
        {
            var global = core.Parameters.ToArray();
            var updates = new List<ReadOnlyMemory<byte>>();
            for (var d = 0; d < Devices; d++)
            {
                // A local round on ½‖θ − c_d‖²: two gradient steps of 0.5 move θ three quarters of the way to c_d.
                var scale = d < attackers ? SimulatedDevice.PoisonScale : 1.0;
                var trained = global.Select((x, j) => (float)(x + (scale * 0.75 * (_optima[d][j] - x)))).ToArray();
                var request = new UpdateRequest($"d{d}.r{round}", "traffic", core.Version, $"d{d}", 100, time.GetUtcNow(), _model.Layout, global, trained);
                updates.Add(builder.Build(request, new UpdateOptions { ClipNorm = 1000 }, DeviceUpdateState.Empty, _keys[d], GaussianNoise.Seeded(round)).Bytes);
            }

            Assert.Equal(Devices, core.Ingest(updates).Accepted);
            TestContext.Current.TestOutputHelper?.WriteLine($"{rule} {attackers} v{core.Version}: {Error(core.Parameters):0.00000}");
            Assert.NotNull(core.Aggregate());
        }

        return Error(core.Parameters);
    }

    // Mean absolute distance of θ to the honest devices' optima.
    private double Error(ReadOnlySpan<float> parameters)
    {
        var sum = 0.0;
        for (var d = Attackers; d < Devices; d++)
        {
            for (var j = 0; j < parameters.Length; j++)
            {
                sum += Math.Abs(parameters[j] - _optima[d][j]);
            }
        }

        return sum / ((Devices - Attackers) * parameters.Length);
    }

    private static double[] Direction(Random random, int n, double norm)
    {
        var v = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var length = Math.Sqrt(v.Sum(x => x * x));
        return [.. v.Select(x => x * norm / length)];
    }
}
