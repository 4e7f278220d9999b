using System.Globalization;
using EdgeRuntime.Core.Compute;
using EdgeRuntime.Core.Outbox;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Federated.Aggregation;
using EdgeRuntime.Federated.Device;
using EdgeRuntime.Federated.Privacy;
using EdgeRuntime.Federated.Signing;
using EdgeRuntime.Kernels.Accelerators;
using EdgeRuntime.Learning.Forecasting;
using EdgeRuntime.Messaging.Outbox;
using EdgeRuntime.Pipelines.Models;
using EdgeRuntime.Testing.Mqtt;
using EdgeRuntime.Testing.Processes;
using Microsoft.Data.Sqlite;

namespace EdgeRuntime.Worker.Tests.Hosting;

/// <summary>
/// Nothing lost across crashes, with every part a real process: two daemons uploading signed updates from their durable
/// outboxes, two <c>edgectl aggregator</c> processes (lead and member) sharing the updates through Mosquitto's shared
/// subscription, and Mosquitto itself. The lead is killed (SIGKILL) in the middle of its first aggregation (between the
/// version file and its commit, the <c>EDGE_FAULT_PAUSE</c> point), one device in the middle of its upload, and the
/// broker while updates, receipts and partial sums are on their way; each comes back on the same state. At the end the
/// lead's ledger — the fleet's accounting — holds, per device, exactly the updates it produced: applied + expired +
/// rejected, none buffered, none twice, and both outboxes are empty.
/// </summary>
public sealed class FederatedCrashTests : IDisposable
{
    private const string Model = "traffic-forecast";
    private const int UpdatesOfB = 40;

    // Enough that device A's upload over the slow link takes seconds, so the kills land in the middle of it.
    private const int UpdatesOfA = 120;
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-fl-crash-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task KillNineOfLeadDeviceAndBroker_TwoAggregatorsOnMosquitto_PerDeviceProducedEqualsAppliedExpiredRejected()
    {
        var cancellation = TestContext.Current.CancellationToken;
        using var fleet = SigningKey.Create();
        var (fleetKey, fleetPublic) = fleet.Save(Path.Combine(_folder, "fleet"));
        var modelPath = Path.Combine(_folder, "model.onnx");
        await File.WriteAllBytesAsync(modelPath, TrafficForecasterBuilder.BuildBytes(ForecastModelBuilder.LaneSpec(12), new ForecasterArchitecture(8)), cancellation);
        var enrolled = Directory.CreateDirectory(Path.Combine(_folder, "devices")).FullName;
        Directory.CreateDirectory(Path.Combine(_folder, "keys"));

        // Two devices, each with its updates (based on v1, the lead's first version) already in its outbox; device A's
        // outbox also holds one update signed with a key that is not its own (it must come back rejected).
        var devices = new[] { "crash-a", "crash-b" };
        var produced = new Dictionary<string, int>();
        var states = new Dictionary<string, string>();
        var keys = new Dictionary<string, string>();
        foreach (var device in devices)
        {
            using var key = SigningKey.Create();
            var (privatePath, publicPath) = key.Save(Path.Combine(_folder, "keys", device));
            File.Copy(publicPath, Path.Combine(enrolled, $"{device}.pub"));
            keys[device] = privatePath;
            states[device] = Directory.CreateDirectory(Path.Combine(_folder, "state-" + device)).FullName;
            produced[device] = device == "crash-a"
                ? FillOutbox(states[device], device, privatePath, modelPath, UpdatesOfA, forged: true)
                : FillOutbox(states[device], device, privatePath, modelPath, UpdatesOfB, forged: false);
        }

        await using var broker = await MosquittoBroker.StartAsync(["max_queued_messages 100000"]);

        // The lead stops dead at its first aggregation, version file written, not committed: kill -9 there, start again.
        var lead = StartAggregator("lead", "lead", broker.Address, fleetKey, modelPath, enrolled, pauseAtCommit: true);
        await using var member = StartAggregator("member1", "member", broker.Address, fleetKey, modelPath, enrolled, pauseAtCommit: false);
        await WaitForLineAsync(member, "aggregator member1 (member)");
        await WaitForLineAsync(lead, "aggregator lead (lead)");

        await using var deviceB = StartDevice("crash-b", broker.Address, states, keys, fleetPublic);
        await Eventually.TrueAsync(() => lead.StandardError.Any(l => l.Contains("fault-point before-version-commit reached", StringComparison.Ordinal)), "the lead paused inside its first aggregation", TimeSpan.FromSeconds(90));
        await lead.KillHardAsync();
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_folder, "aggregator-lead", "versions"), "*-v2.onnx"));
        await lead.DisposeAsync();
        await using var restartedLead = StartAggregator("lead", "lead", broker.Address, fleetKey, modelPath, enrolled, pauseAtCommit: false);

        // Device A uploads over a slow link; kill -9 it once some of its updates have receipts and others do not.
        await using var slowLink = TcpFaultProxy.StartSlow(broker.Port, TimeSpan.FromMilliseconds(60));
        var deviceA = StartDevice("crash-a", slowLink.Address, states, keys, fleetPublic);
        await Eventually.TrueAsync(() => Pending(states["crash-a"]) is > 0 and var p && p < produced["crash-a"], "device A part-way through its upload", TimeSpan.FromSeconds(90));
        var pendingAtKill = Pending(states["crash-a"]);
        await deviceA.DisposeAsync();
        Assert.InRange(pendingAtKill, 1, produced["crash-a"] - 1);
        await using var restartedA = StartDevice("crash-a", slowLink.Address, states, keys, fleetPublic);

        // The broker dies once device A is uploading again (its first receipts since the restart), with more on their way,
        // and comes back empty (no persistence).
        await Eventually.TrueAsync(() => Pending(states["crash-a"]) is > 0 and var p && p < pendingAtKill, "device A uploading again", TimeSpan.FromSeconds(60));
        await broker.KillAsync();
        Assert.True(Pending(states["crash-a"]) > 0);
        await broker.RestartAsync();

        // Everything settles: both outboxes empty, and the lead's ledger balances for each device.
        await Eventually.TrueAsync(
            () => devices.All(d => Pending(states[d]) == 0) && devices.All(d => Ledger(d).Buffered == 0 && Ledger(d).Total == produced[d]),
            "every update accounted once in the lead's ledger and released from its device's outbox",
            TimeSpan.FromSeconds(120));

        foreach (var device in devices)
        {
            var ledger = Ledger(device);
            Assert.Equal(produced[device], ledger.Applied + ledger.Expired + ledger.Rejected);
            TestContext.Current.TestOutputHelper?.WriteLine($"{device}: produced {produced[device]} = applied {ledger.Applied} + expired {ledger.Expired} + rejected {ledger.Rejected}; member took {Ledger(device, "member1").Total}");
        }

        var all = devices.Select(Ledger).ToList();
        Assert.True(all.Sum(l => l.Applied) > 0, "some updates were applied");
        Assert.True(all.Sum(l => l.Expired) > 0, "some updates expired");
        Assert.Equal(1, all.Sum(l => l.Rejected));
        Assert.True(devices.Sum(d => Ledger(d, "member1").Total) > 0, "the member took a share of the updates");
    }

    // Writes the device's updates into {state}/outbox.db as the daemon's learner would have; returns how many.
    private static int FillOutbox(string state, string device, string keyPath, string modelPath, int updates, bool forged)
    {
        var global = GlobalModel.Load(modelPath);
        using var key = DeviceKey.Load(keyPath);
        using var impostor = DeviceKey.Create();
        using var accelerator = KernelAccelerator.Create(KernelPreference.Cpu);
        using var outbox = new SqliteOutbox(Path.Combine(state, "outbox.db"), TimeProvider.System);
        var builder = new UpdateBuilder(accelerator);
        var random = new Random(device.GetHashCode(StringComparison.Ordinal));
        var count = updates + (forged ? 1 : 0);
        for (var i = 1; i <= count; i++)
        {
            var trained = global.InitialParameters.Select(x => x + (float)((random.NextDouble() - 0.5) * 0.01)).ToArray();
            var id = string.Create(CultureInfo.InvariantCulture, $"{device}.{Model}.v1.r{i}");
            var request = new UpdateRequest(id, Model, 1, device, 100, TimeProvider.System.GetUtcNow(), global.Layout, global.InitialParameters, trained);
            var built = builder.Build(request, new UpdateOptions(), DeviceUpdateState.Empty, forged && i == count ? impostor : key, GaussianNoise.Seeded(i));
            outbox.Add(new OutboxMessage(id, OutboxChannel.FederatedUpdate, Model, built.Bytes));
        }

        return count;
    }

    private ChildProcess StartAggregator(string id, string role, string broker, string fleetKey, string modelPath, string enrolled, bool pauseAtCommit)
    {
        Assert.True(File.Exists(EdgeRuntimeBinaries.Edgectl), $"edgectl is not built: {EdgeRuntimeBinaries.Edgectl}");
        var environment = new Dictionary<string, string?> { ["EDGE_FAULT_PAUSE"] = pauseAtCommit ? FaultPoints.BeforeVersionCommit : null, ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" };
        return ChildProcess.Start("dotnet", [
            EdgeRuntimeBinaries.Edgectl, "aggregator", "--model", Model, "--model-file", modelPath, "--devices", enrolled,
            "--state", Path.Combine(_folder, $"aggregator-{id}"), "--id", id, "--role", role, "--signing-key", fleetKey,
            "--strategy", "fedbuff", "--buffer", "4", "--max-wait", "1s", "--max-staleness", "3", "--broker", broker], environment);
    }

    private static DaemonProcess StartDevice(string device, string broker, Dictionary<string, string> states, Dictionary<string, string> keys, string fleetPublic) =>
        DaemonProcess.Start(
            new Dictionary<string, string?>
            {
                ["EDGE_Mqtt__Server"] = broker,
                ["EDGE_Delivery__TrustedKeys__0"] = fleetPublic,
                ["EDGE_Federated__Enabled"] = "true",
                ["EDGE_Federated__DeviceKey"] = keys[device],
                ["EDGE_Federated__ReceiptTimeoutSeconds"] = "2",
                ["EDGE_Pipelines__0__Enabled"] = "false",
                ["EDGE_Logging__LogLevel__Default"] = "Warning",
            },
            deviceId: device,
            stateDirectory: states[device]);

    private static async Task WaitForLineAsync(ChildProcess process, string start) =>
        await Eventually.TrueAsync(() => process.StandardOutput.Any(l => l.StartsWith(start, StringComparison.Ordinal)), $"'{start}' from edgectl aggregator ({process.DescribeOutput()})", TimeSpan.FromSeconds(60));

    // Entries waiting in a device's outbox (read beside the running daemon; WAL lets a reader in).
    private static long Pending(string state) => DeviceOutbox.Pending(state);

    // One device's updates by outcome in an aggregator's ledger (the lead's is the fleet's accounting).
    private LedgerCounts Ledger(string device) => Ledger(device, "lead");

    private LedgerCounts Ledger(string device, string aggregator)
    {
        var path = Path.Combine(_folder, $"aggregator-{aggregator}", "aggregator.db");
        if (!File.Exists(path))
        {
            return new LedgerCounts(0, 0, 0, 0, 0);
        }

        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT outcome, COUNT(*) FROM ledger WHERE device = $device GROUP BY outcome";
        command.Parameters.AddWithValue("$device", device);
        using var reader = command.ExecuteReader();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        while (reader.Read())
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }

        return new LedgerCounts(counts.GetValueOrDefault("applied"), counts.GetValueOrDefault("expired"), counts.GetValueOrDefault("rejected"), counts.GetValueOrDefault("buffered"), counts.Values.Sum());
    }

    private sealed record LedgerCounts(long Applied, long Expired, long Rejected, long Buffered, long Total);
}
