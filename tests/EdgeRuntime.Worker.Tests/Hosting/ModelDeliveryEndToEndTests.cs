using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeRuntime.Delivery.Manifests;
using EdgeRuntime.Delivery.Publishing;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Messaging.Configuration;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Topics;
using EdgeRuntime.Testing.Models;
using EdgeRuntime.Testing.Mqtt;
using EdgeRuntime.Testing.Processes;

namespace EdgeRuntime.Worker.Tests.Hosting;

/// <summary>
/// Model delivery with everything real: the daemon process, Mosquitto, edgectl as a process, a real model from
/// ../shared/models, and mosquitto_sub as the independent observer.
/// </summary>
public sealed partial class ModelDeliveryEndToEndTests : IDisposable
{
    private const string Model = "ocr-cls";
    private readonly string _folder = Directory.CreateTempSubdirectory("edge-e2e-").FullName;

    private string PublicKey => Path.Combine(_folder, "fleet.pub");

    private string PrivateKey => Path.Combine(_folder, "fleet.key");

    private Dictionary<string, string?> DeviceSettings(string broker) => new()
    {
        ["EDGE_Mqtt__Server"] = broker,
        ["EDGE_Delivery__TrustedKeys__0"] = PublicKey,
        ["EDGE_Delivery__ChunkTimeoutSeconds"] = "3",
    };

    private static async Task<int> EdgectlAsync(params string[] arguments)
    {
        await using var edgectl = ChildProcess.Start("dotnet", [EdgeRuntimeBinaries.Edgectl, .. arguments]);
        var exit = await edgectl.WaitForExitAsync(TimeSpan.FromMinutes(2));
        TestContext.Current.TestOutputHelper?.WriteLine($"edgectl {string.Join(' ', arguments)} → {exit}\n{edgectl.DescribeOutput()}");
        return exit;
    }

    private static string? Phase(ObservedMessage message) =>
        JsonDocument.Parse(message.Payload).RootElement.TryGetProperty("phase", out var phase) ? phase.GetString() : null;

    private static string? Detail(ObservedMessage message) =>
        JsonDocument.Parse(message.Payload).RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() : null;

    [Fact]
    public async Task EdgectlPublish_RealModel_DaemonServesIt_AndMosquittoSubSeesEveryStep()
    {
        var modelPath = SharedModels.Require(SharedModels.PpOcrClassifier);
        Assert.Equal(0, await EdgectlAsync("keys", "create", "--out", Path.Combine(_folder, "fleet")));
        await using var broker = await MosquittoBroker.StartAsync();
        await using var events = await MosquittoSubscriber.StartAsync(broker.Port, "edge/devices/+/events");
        await using var statuses = await MosquittoSubscriber.StartAsync(broker.Port, "edge/devices/+/status");
        await using var daemon = DaemonProcess.Start(DeviceSettings(broker.Address));
        await statuses.WaitForAsync(m => daemon.IsStatus(m, Core.Devices.DeviceState.Online), "online");

        Assert.Equal(0, await EdgectlAsync("model", "publish", modelPath, "--name", Model, "--version", "1", "--signing-key", PrivateKey, "--chunk-size", "64KiB", "--broker", broker.Address));

        await statuses.WaitForAsync(
            m => m.Topic == daemon.StatusTopic && DaemonProcess.Parse(m).Models.Any(s => s is { Name: Model, Version: 1, Phase: Core.Models.ModelPhase.Serving, ServingVersion: 1 }),
            "the retained status to show ocr-cls v1 serving",
            TimeSpan.FromMinutes(2));
        var phases = events.Messages.Where(m => m.Topic == daemon.EventsTopic).Select(Phase).Distinct().ToList();
        Assert.Equal(["downloading", "verifying", "optimising", "planning", "serving"], phases);
        var chunks = (new FileInfo(modelPath).Length + 65535) / 65536;
        Assert.Contains(events.Messages, m => Detail(m) == $"chunks {chunks}/{chunks}");
        var installed = Path.Combine(daemon.StateDirectory, "models", Model, "1", "model.onnx");
        Assert.Equal(await File.ReadAllBytesAsync(modelPath, TestContext.Current.CancellationToken), await File.ReadAllBytesAsync(installed, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task KillHard_HalfwayThroughADownload_RestartFetchesOnlyTheMissingChunks()
    {
        var model = await File.ReadAllBytesAsync(SharedModels.Require(SharedModels.PpOcrClassifier), TestContext.Current.CancellationToken);
        using var key = NewKey();
        await using var broker = await MosquittoBroker.StartAsync();
        await using var fleet = await FleetConnectionAsync(broker.Address);
        await using var events = await MosquittoSubscriber.StartAsync(broker.Port, "edge/devices/+/events");
        var manifest = Manifest(model, chunkSize: 16 * 1024);
        var half = manifest.Chunks.Count / 2;
        await PublishAsync(fleet, manifest, model, key, Enumerable.Range(0, half));

        var stateDirectory = Directory.CreateTempSubdirectory("edge-state-").FullName;
        var daemon = DaemonProcess.Start(DeviceSettings(broker.Address), stateDirectory: stateDirectory);
        try
        {
            await events.WaitForAsync(m => m.Topic == daemon.EventsTopic && Detail(m) == $"chunks {half}/{manifest.Chunks.Count}", "half the chunks in", TimeSpan.FromMinutes(1));
            await daemon.Process.KillHardAsync();
        }
        finally
        {
            await daemon.DisposeAsync();
        }

        var logBeforeRestart = broker.ReadLog().Length;
        await PublishAsync(fleet, manifest, model, key, Enumerable.Range(half, manifest.Chunks.Count - half));
        try
        {
            // Inside the try: the daemon is stopped before its state directory is deleted (it writes there until then).
            await using var restarted = DaemonProcess.Start(DeviceSettings(broker.Address), daemon.DeviceId, stateDirectory);
            await events.WaitForAsync(m => m.Topic == restarted.EventsTopic && Phase(m) == "serving", "serving after the restart", TimeSpan.FromMinutes(2));
            Assert.Contains(events.Messages, m => Detail(m) == $"chunks {half}/{manifest.Chunks.Count} ({half} resumed from disk)");

            // Mosquitto's own log is the independent count: one SUBSCRIBE per chunk the restarted daemon asked for.
            var requested = ChunkSubscriptions(broker.ReadLog()[logBeforeRestart..], restarted.ClientId);
            Assert.Equal(Enumerable.Range(half, manifest.Chunks.Count - half).ToHashSet(), requested.ToHashSet());
            Assert.Equal(model, await File.ReadAllBytesAsync(Path.Combine(stateDirectory, "models", Model, "1", "model.onnx"), TestContext.Current.CancellationToken));
        }
        finally
        {
            Directory.Delete(stateDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task KillHard_TheBrokerMidTransfer_TransferCompletesAfterItReturns()
    {
        var model = await File.ReadAllBytesAsync(SharedModels.Require(SharedModels.PpOcrClassifier), TestContext.Current.CancellationToken);
        using var key = NewKey();
        var persistence = Directory.CreateDirectory(Path.Combine(_folder, "mosquitto-db")).FullName;
        File.SetUnixFileMode(_folder, (UnixFileMode)0b111_111_111);
        File.SetUnixFileMode(persistence, (UnixFileMode)0b111_111_111);
        await using var broker = await MosquittoBroker.StartAsync(["persistence true", $"persistence_location {persistence}/", "autosave_interval 1", "autosave_on_changes false"]);
        var manifest = Manifest(model, chunkSize: 16 * 1024);
        var half = manifest.Chunks.Count / 2;
        await using (var fleet = await FleetConnectionAsync(broker.Address))
        {
            await PublishAsync(fleet, manifest, model, key, Enumerable.Range(0, half));
        }

        await using var daemon = DaemonProcess.Start(DeviceSettings(broker.Address));
        await using (var events = await MosquittoSubscriber.StartAsync(broker.Port, "edge/devices/+/events"))
        {
            await events.WaitForAsync(m => m.Topic == daemon.EventsTopic && Detail(m) == $"chunks {half}/{manifest.Chunks.Count}", "half the chunks in", TimeSpan.FromMinutes(1));
        }

        // Mosquitto keeps retained messages and sessions only in what it saved: wait for a save, then kill it.
        var database = Path.Combine(persistence, "mosquitto.db");
        var killAfter = TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(1.5);
        await Eventually.TrueAsync(() => File.Exists(database) && File.GetLastWriteTimeUtc(database) > killAfter, "mosquitto to save its state");
        await broker.KillAsync();
        await broker.RestartAsync();

        await using var after = await MosquittoSubscriber.StartAsync(broker.Port, "edge/devices/+/events");
        await using (var fleet = await FleetConnectionAsync(broker.Address))
        {
            await PublishAsync(fleet, manifest, model, key, Enumerable.Range(half, manifest.Chunks.Count - half));
        }

        await after.WaitForAsync(m => m.Topic == daemon.EventsTopic && Phase(m) == "serving", "serving after the broker came back", TimeSpan.FromMinutes(2));
        Assert.False(daemon.Process.HasExited);
        Assert.Equal(model, await File.ReadAllBytesAsync(Path.Combine(daemon.StateDirectory, "models", Model, "1", "model.onnx"), TestContext.Current.CancellationToken));
    }

    private SigningKey NewKey()
    {
        var key = SigningKey.Create();
        key.Save(Path.Combine(_folder, "fleet"));
        return key;
    }

    private ModelManifest Manifest(byte[] model, int chunkSize)
    {
        var path = Path.Combine(_folder, "model.onnx");
        File.WriteAllBytes(path, model);
        var now = TimeProvider.System.GetUtcNow();
        return ManifestBuilder.Build(path, Model, 1, chunkSize, now, now.AddDays(1));
    }

    private static async Task<MqttConnectionSupervisor> FleetConnectionAsync(string broker)
    {
        var options = new MqttOptions { Server = broker, CleanStart = true, SessionExpirySeconds = 0, Reconnect = { InitialDelayMilliseconds = 50, MaxDelayMilliseconds = 300 } };
        Assert.True(BrokerEndpoint.TryParse(broker, out var endpoint, out _));
        var supervisor = new MqttConnectionSupervisor(
            MqttClientOptionsFactory.Create(options, endpoint!, $"fleet-{Guid.NewGuid():N}"[..20], lastWill: null),
            MqttReconnectPipeline.Create(options.Reconnect, broker, TimeProvider.System, TestLogging.For<MqttConnectionSupervisor>()),
            10_000,
            TimeProvider.System,
            TestLogging.For<MqttConnectionSupervisor>());
        supervisor.Start();
        await supervisor.WaitUntilConnectedAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        return supervisor;
    }

    /// <summary>Publishes <paramref name="chunks"/>, then a latest statement and the manifest (retained), as edgectl does for a whole model.</summary>
    private static async Task PublishAsync(MqttConnectionSupervisor fleet, ModelManifest manifest, byte[] model, SigningKey key, IEnumerable<int> chunks)
    {
        var topics = new MqttTopics();
        await Task.WhenAll(chunks.Select(index => fleet.PublishAsync(new OutgoingMessage(
            topics.ModelChunk(manifest.Name, manifest.Version, index),
            model.AsMemory((int)manifest.ChunkOffset(index), manifest.ChunkLength(index)),
            retain: true))));
        var envelope = SignedEnvelope.Sign(ModelManifestJson.ToBytes(manifest), key).ToBytes();
        await fleet.PublishAsync(new OutgoingMessage(topics.ModelLatest(manifest.Name), LatestStatement.Sign(manifest, key, TimeProvider.System.GetUtcNow(), LatestStatement.DefaultLifetime), retain: true));
        await fleet.PublishAsync(new OutgoingMessage(topics.ModelManifest(manifest.Name), envelope, retain: true));
    }

    private static List<int> ChunkSubscriptions(string log, string clientId) =>
        [.. log.Split('\n')
            .Select(line => ChunkSubscription().Match(line))
            .Where(m => m.Success && m.Groups["client"].Value == clientId)
            .Select(m => int.Parse(m.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture))];

    [GeneratedRegex(@"^\d+: (?<client>\S+) \d edge/models/[^/]+/\d+/chunks/(?<index>\d+)$")]
    private static partial Regex ChunkSubscription();

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
