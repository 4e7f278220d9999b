using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Testing.Mqtt;
using EdgeRuntime.Testing.Processes;

namespace EdgeRuntime.Worker.Tests.Hosting;

/// <summary>
/// The whole loop on one real daemon, every part a real process: <c>edgectl aggregator</c> publishes the first global
/// version through model delivery; the daemon installs and serves it, collects labelled examples from its simulated
/// loops, trains a local revision that serves, and sends the revision's update through its durable outbox over
/// Mosquitto; the aggregator folds it (FedBuff, K = 1) into the next global version and publishes it; the daemon installs
/// and serves it (or a later one) and learns again from it, so its next update is based on the new version (the rebase) and goes
/// into a later version, which serves in turn.
/// </summary>
public sealed class FederatedLoopEndToEndTests : IDisposable
{
    private const string Model = "traffic-forecast";
    private const string Device = "loop-1";
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-fl-loop-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task LocalRevision_BecomesAnUpdate_AggregatorsNextVersionServes_AndTheNextUpdateIsBasedOnIt()
    {
        using (var fleetKey = SigningKey.Create())
        {
            fleetKey.Save(Path.Combine(_folder, "fleet"));
        }

        var enrolled = Directory.CreateDirectory(Path.Combine(_folder, "devices")).FullName;
        using (var deviceKey = SigningKey.Create())
        {
            var (_, devicePublic) = deviceKey.Save(Path.Combine(_folder, Device));
            File.Copy(devicePublic, Path.Combine(enrolled, $"{Device}.pub"));
        }

        await using var broker = await MosquittoBroker.StartAsync();
        await using var statuses = await MosquittoSubscriber.StartAsync(broker.Port, $"edge/devices/{Device}/status");

        // The first global version is the daemon's own shipped forecaster; the fleet trains what devices train by default.
        // A server step of 0.3 leaves each version short of the device's revision, so the next local round has room to
        // improve on it and its revision serves (with η = 1 the version is that revision, and rounds on it rarely beat it).
        var aggregatorState = Path.Combine(_folder, "aggregator");
        await using var aggregator = ChildProcess.Start("dotnet", [
            EdgeRuntimeBinaries.Edgectl, "aggregator", "--model", Model, "--model-file", Path.Combine(TestEnvironment.RepositoryRoot, "configs", "models", "traffic-forecast.onnx"),
            "--devices", enrolled, "--state", aggregatorState, "--signing-key", Path.Combine(_folder, "fleet.key"), "--trainable", "head",
            "--strategy", "fedbuff", "--buffer", "1", "--max-wait", "1s", "--server-lr", "0.3", "--broker", broker.Address], new Dictionary<string, string?> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" });
        await WaitForAsync(aggregator, "info Published traffic-forecast v1 ");

        await using var daemon = DaemonProcess.Start(
            new Dictionary<string, string?>
            {
                ["EDGE_Mqtt__Server"] = broker.Address,
                ["EDGE_Delivery__TrustedKeys__0"] = Path.Combine(_folder, "fleet.pub"),
                ["EDGE_Federated__Enabled"] = "true",
                ["EDGE_Federated__DeviceKey"] = Path.Combine(_folder, $"{Device}.key"),

                // One loop interval a second and a round every 40 new examples: a round within a minute.
                ["EDGE_Pipelines__0__Sources__0__Loops__Interval"] = "00:00:01",
                ["EDGE_Pipelines__0__Sources__0__Loops__Settle"] = "00:00:00.200",
                ["EDGE_Learning__MinNewExamples"] = "40",
                ["EDGE_Learning__CheckSeconds"] = "1",
                ["EDGE_Learning__CpuSecondsPerHour"] = "3600",
                ["EDGE_Learning__MaxInferenceP99Ms"] = "10000",
                ["EDGE_Learning__MinImprovement"] = "0",
            },
            deviceId: Device);

        // v1 from the aggregator serves; a revision learnt on it is sent, applied, and comes back as v2, which serves.
        var started = TimeProvider.System.GetTimestamp();
        void Step(string what) => TestContext.Current.TestOutputHelper?.WriteLine($"{TimeProvider.System.GetElapsedTime(started).TotalSeconds,6:F1} s  {what}");
        await WaitForServingAsync(statuses, daemon, 1);
        Step("v1 serves");
        await WaitForAsync(aggregator, "info traffic-forecast v2 made from 1 updates");
        Step("v2 made");
        await WaitForServingAsync(statuses, daemon, 2);
        Step("v2 serves");
        Assert.Equal(("applied", 2L), LedgerEntry(aggregatorState, $"{Device}.{Model}.v1.r1"));

        // The daemon learns on from v2: the first update it makes after v2 serves is based on v2 (revisions are numbered
        // per version), and the aggregator applies it to a later version, which serves in turn. (Updates of v1 revisions
        // made while v2 was on its way are applied too, with their staleness; they are not what this checks.)
        (string UpdateId, long Version)? rebased = null;
        await Eventually.TrueAsync(
            () => (rebased = AppliedUpdateBasedOn(aggregatorState, 2)) is not null || aggregator.HasExited,
            "an update based on v2 applied by the aggregator",
            TimeSpan.FromSeconds(120));
        Assert.False(aggregator.HasExited, aggregator.DescribeOutput());
        Assert.Equal($"{Device}.{Model}.v2.r1", rebased!.Value.UpdateId);
        Step($"{rebased.Value.UpdateId} applied in v{rebased.Value.Version}");
        await WaitForServingAsync(statuses, daemon, rebased.Value.Version);
        Step($"v{rebased.Value.Version} serves");

        // Every update the device made has its receipt: the outbox is empty once the receipts are in.
        await Eventually.TrueAsync(() => Pending(daemon.StateDirectory) == 0, "the device's outbox to empty on the aggregator's receipts");
        Step("outbox empty");
    }

    private static async Task WaitForAsync(ChildProcess aggregator, string text)
    {
        await Eventually.TrueAsync(
            () => aggregator.HasExited || aggregator.StandardOutput.Any(l => l.Contains(text, StringComparison.Ordinal)),
            $"'{text}' from edgectl aggregator",
            TimeSpan.FromSeconds(120));
        Assert.False(aggregator.HasExited, $"edgectl aggregator exited:\n{aggregator.DescribeOutput()}");
    }

    // That version or a later one: a version that arrives while an earlier one is still being installed supersedes it.
    private static async Task WaitForServingAsync(MosquittoSubscriber statuses, DaemonProcess daemon, long version) =>
        await statuses.WaitForAsync(
            m => m.Topic == daemon.StatusTopic && DaemonProcess.Parse(m).Models.Any(s => s is { Name: Model, Phase: Core.Models.ModelPhase.Serving } && s.ServingVersion >= version),
            $"the status to show {Model} v{version} or later serving",
            TimeSpan.FromMinutes(2));

    private static (string Outcome, long Version)? LedgerEntry(string aggregatorState, string updateId)
    {
        using var connection = DeviceOutbox.OpenReadOnly(Path.Combine(aggregatorState, "aggregator.db"));
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT outcome, version FROM ledger WHERE update_id = $id";
        command.Parameters.AddWithValue("$id", updateId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetString(0), reader.IsDBNull(1) ? -1 : reader.GetInt64(1)) : null;
    }

    // The first update based on `baseVersion` that the aggregator applied, and the version it went into.
    private static (string UpdateId, long Version)? AppliedUpdateBasedOn(string aggregatorState, long baseVersion)
    {
        using var connection = DeviceOutbox.OpenReadOnly(Path.Combine(aggregatorState, "aggregator.db"));
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT update_id, version FROM ledger WHERE device = $device AND base_version = $base AND outcome = 'applied' AND version IS NOT NULL ORDER BY update_id LIMIT 1";
        command.Parameters.AddWithValue("$device", Device);
        command.Parameters.AddWithValue("$base", baseVersion);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetString(0), reader.GetInt64(1)) : null;
    }

    private static long Pending(string state) => DeviceOutbox.Pending(state);
}
