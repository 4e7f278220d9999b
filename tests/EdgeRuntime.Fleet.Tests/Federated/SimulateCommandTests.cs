using System.Text.RegularExpressions;
using EdgeRuntime.Testing.Models;
using EdgeRuntime.Testing.Mqtt;

namespace EdgeRuntime.Fleet.Tests.Federated;

public sealed partial class SimulateCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-fl-sim-test-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Simulate_RealSensorsOneOfflineForADay_EveryUpdateAccountedOnceAndAPlot()
    {
        // Four loop detectors of ../shared/data/la-loop-speed as devices, through the embedded broker and a real
        // aggregator; device 3 is offline from 1 h for 24 h and goes on learning into its outbox meanwhile.
        var data = SharedModels.RequireData(Path.Combine("la-loop-speed", "speed-150.csv"));
        var plot = Path.Combine(_folder, "mae.png");

        var (exit, output, error) = await Edgectl.RunAsync(
            ["fl", "simulate", "--data", data, "--metric", "speed", "--devices", "4", "--keep", "12h", "--strategy", "fedbuff", "--buffer", "3",
             "--round", "30m", "--duration", "26h", "--offline", "3:1h:24h", "--hidden", "8", "--plot", plot],
            TestContext.Current.CancellationToken);

        Assert.True(exit == 0, error + output);
        Assert.Contains("FedBuff K=3: nothing lost: produced", output, StringComparison.Ordinal);

        // The offline device's updates: each once, applied before it left, expired (too stale) after it came back.
        var device = OfflineDevice().Match(output);
        Assert.True(device.Success, output);
        var (produced, applied, expired, rejected, buffered, pending) = (Value(device, "p"), Value(device, "a"), Value(device, "e"), Value(device, "r"), Value(device, "b"), Value(device, "o"));
        Assert.Equal(produced, applied + expired + rejected + buffered + pending);
        Assert.True(produced >= 45, $"device 3 produced {produced}");
        Assert.True(applied > 0, output);
        Assert.True(expired > 0, output);
        Assert.Equal(0, pending);

        // Per-version lines with MAE and counts, and the PNG.
        Assert.Matches(@"v\d+ validation MAE \d+\.\d+ .* applied \d+, expired \d+, rejected 0", output);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(plot).Take(4).ToArray());
    }

    [Fact]
    public async Task Simulate_TwoAggregatorsSharingTheSubscriptionOnMosquitto_SplitTheUpdatesAndLoseNone()
    {
        var data = SharedModels.RequireData(Path.Combine("la-loop-speed", "speed-150.csv"));
        await using var broker = await MosquittoBroker.StartAsync(["max_queued_messages 100000"]);

        var (exit, output, error) = await Edgectl.RunAsync(
            ["fl", "simulate", "--data", data, "--metric", "speed", "--devices", "6", "--keep", "12h", "--strategy", "fedbuff", "--buffer", "3",
             "--round", "10m", "--duration", "3h", "--hidden", "8", "--aggregators", "2", "--broker", broker.Address],
            TestContext.Current.CancellationToken);

        Assert.True(exit == 0, error + output);
        var line = SharedLine().Match(output);
        Assert.True(line.Success, output);
        var produced = Value(line, "p");
        var member = Value(line, "m");
        Assert.Equal(produced, Value(line, "a") + Value(line, "b"));
        Assert.True(produced > 60, output);

        // The broker shares the updates between the two: the member folds its part into partial sums for the lead.
        Assert.InRange(member, 1, produced - 1);
    }

    [Fact]
    public async Task Simulate_CompareKeep_ComparesTheFederatedModelWithLocalOnlyModelsOfTheNewestHalfDay()
    {
        // Three sensors holding all their training data; the references: central, local-only on all of it, and
        // local-only on only the newest 12 h of each (a device that holds only its last half day).
        var data = SharedModels.RequireData(Path.Combine("la-loop-speed", "speed-150.csv"));

        var (exit, output, error) = await Edgectl.RunAsync(
            ["fl", "simulate", "--data", data, "--metric", "speed", "--devices", "3", "--strategy", "fedbuff", "--buffer", "3",
             "--round", "10m", "--duration", "1h", "--hidden", "8", "--compare", "--compare-keep", "12h"],
            TestContext.Current.CancellationToken);

        Assert.True(exit == 0, error + output);
        Assert.Contains("| vs local only | vs local only (newest 12h each) |", output, StringComparison.Ordinal);
        var full = ReferenceMean("local only", output);
        var halfDay = ReferenceMean("local only (newest 12h each)", output);
        Assert.NotEqual(full, halfDay);
        Assert.Matches(@"\| local only \(newest 12h each\) \|( \d+\.\d{3} \|){5} [+-]\d+\.\d% \| [+-]\d+\.\d% \| \+0\.0% \|", output);

        // The final version and the version a fleet would keep by its validation MAE, each against all three references.
        Assert.Matches(@"\| FedBuff K=3 \(federated\), final v\d+ \|( \d+\.\d{3} \|){5} [+-]\d+\.\d% \| [+-]\d+\.\d% \| [+-]\d+\.\d% \|", output);
        Assert.Matches(@"\| FedBuff K=3 \(federated\), best validation MAE: v\d+ at [\d:]+ \|( \|){4} \d+\.\d{3} \|", output);
    }

    [Fact]
    public async Task Simulate_Scaffold_UpdatesCarryControlChangesAndTheDeliveredVersionCarriesTheFleetsControlVariate()
    {
        // Three sensors, FedAvg rounds: the devices' updates carry Δcᵢ, the aggregator folds them into c, and the
        // version it publishes, read back as delivered to the fleet, holds c next to the weights; nothing lost on the way.
        var data = SharedModels.RequireData(Path.Combine("la-loop-speed", "speed-150.csv"));

        var (exit, output, error) = await Edgectl.RunAsync(
            ["fl", "simulate", "--data", data, "--metric", "speed", "--devices", "3", "--strategy", "fedavg", "--expected", "3",
             "--round", "10m", "--duration", "35m", "--hidden", "8", "--update-clip", "10", "--clip", "10", "--scaffold"],
            TestContext.Current.CancellationToken);

        Assert.True(exit == 0, error + output);
        Assert.Contains("SCAFFOLD drift correction", output, StringComparison.Ordinal);
        Assert.Contains("FedAvg: nothing lost: produced", output, StringComparison.Ordinal);
        var norm = ControlNorm().Match(output);
        Assert.True(norm.Success, output);
        Assert.True(double.Parse(norm.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, output);
    }

    [Theory]
    [InlineData("--compare-keep", "soon", "--compare-keep 'soon' is not a duration")]
    [InlineData("--strategy", "fedsgd", "fedsgd")]
    [InlineData("--offline", "3-1h-24h", "--offline '3-1h-24h' is not DEVICE:FROM:LENGTH")]
    [InlineData("--aggregators", "2", "give --broker (Mosquitto)")]
    [InlineData("--noise", "1", "--scaffold with --noise", "--scaffold")]
    [InlineData("--combine", "median", "--scaffold with --combine median", "--scaffold")]
    public async Task Simulate_BadOption_OneLineExit2(string option, string value, string expected, string? flag = null)
    {
        var (exit, _, error) = await Edgectl.RunAsync(["fl", "simulate", "--simulate", "1h", "--intersections", "1", option, value, .. (flag is null ? Array.Empty<string>() : [flag])], TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    private static double ReferenceMean(string name, string output)
    {
        var row = output.Split('\n').Single(l => l.StartsWith($"| {name} | ", StringComparison.Ordinal));
        return double.Parse(row.Split('|', StringSplitOptions.TrimEntries)[6], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static long Value(Match match, string group) => long.Parse(match.Groups[group].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"nothing lost: produced (?<p>\d+) = applied (?<a>\d+) \+ expired 0 \+ rejected 0 \+ buffered (?<b>\d+) \+ in outboxes 0; the member aggregator\(s\) took (?<m>\d+) of them")]
    private static partial Regex SharedLine();

    [GeneratedRegex(@"device d003-\S+: produced (?<p>\d+) = applied (?<a>\d+) \+ expired (?<e>\d+) \+ rejected (?<r>\d+) \+ buffered (?<b>\d+) \+ in outbox (?<o>\d+)")]
    private static partial Regex OfflineDevice();

    [GeneratedRegex(@"done: [3-9] versions .*the last version carries the fleet's control variate, ‖c‖₂ (\d+\.\d+)")]
    private static partial Regex ControlNorm();
}
