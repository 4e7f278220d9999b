using System.Security.Cryptography;
using System.Text.Json;
using EdgeRuntime.Core.Devices;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Delivery.Commands;
using EdgeRuntime.Delivery.Manifests;
using EdgeRuntime.Delivery.Publishing;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Delivery.Store;
using EdgeRuntime.Delivery.Tests.Agent;
using EdgeRuntime.Messaging.Broker;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Topics;
using EdgeRuntime.Testing.Mqtt;

namespace EdgeRuntime.Delivery.Tests.Faults;

/// <summary>
/// Faults that need the daemon as a real process: kill -9 of the daemon halfway through a download and in the middle of
/// verifying, optimising or swapping a version in; kill -9 of the broker (Mosquitto, or the daemon that hosts the
/// embedded one). After each, the files the serving version came from are checked against their signed hashes.
/// </summary>
internal sealed class DaemonCampaign(FaultLedger ledger, Random random, SigningKey key, string keyFile)
{
    private const string Model = DeliveryRig.Model;
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(30);
    private readonly MqttTopics _topics = new();
    private readonly List<(string Topic, string Phase, long Version)> _events = [];
    private readonly Lock _gate = new();
    private DaemonUnderTest _daemon = null!;
    private MosquittoBroker? _mosquitto;
    private MqttConnectionSupervisor _fleet = null!;
    private DeviceStatus? _status;

    public async Task<long> RunAsync(string broker, int faults, long version)
    {
        string address;
        if (broker == "mosquitto")
        {
            _mosquitto = await MosquittoBroker.StartAsync();
            address = _mosquitto.Address;
            _daemon = new DaemonUnderTest(keyFile, address, null);
        }
        else
        {
            var port = FreeTcpPort.Next();
            address = $"127.0.0.1:{port}";
            _daemon = new DaemonUnderTest(keyFile, null, port);
        }

        try
        {
            _daemon.Start();
            // On the embedded broker the fleet logs in with its local credential, which the daemon writes when its broker starts.
            var passwordFile = broker == "mosquitto" ? null : LocalBrokerCredential.PasswordFile(_daemon.StateDirectory);
            _fleet = Supervisors.Started(address, $"fleet-{Guid.NewGuid():N}"[..16], sessionful: false, passwordFile);
            try
            {
                // With the embedded broker the daemon is the broker: one that does not start must fail the run, not hang it.
                await _fleet.WaitUntilConnectedAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
                throw new InvalidOperationException($"no broker at {address} within 60 s; the daemon:\n{_daemon.Output()}");
            }

            await using var statuses = await _fleet.SubscribeAsync(_topics.DeviceStatus(_daemon.DeviceId), OnStatus);
            await using var events = await _fleet.SubscribeAsync(_topics.DeviceEvents(_daemon.DeviceId), OnEvent);
            await Deliver(++version, FaultModels.Build(version, random));
            var kinds = new[] { FaultKind.DaemonKilledMidDownload, FaultKind.DaemonKilledMidSwap, FaultKind.BrokerKilled };
            for (var i = 0; i < faults; i++)
            {
                version++;
                var faultAt = await InjectAsync(kinds[random.Next(kinds.Length)], version, broker);
                await RecoveredAsync(version, faultAt);
            }

            return version;
        }
        finally
        {
            if (_fleet is not null)
            {
                await _fleet.DisposeAsync();
            }

            await _daemon.DisposeAsync();
            if (_mosquitto is not null)
            {
                await _mosquitto.DisposeAsync();
            }
        }
    }

    private async Task<DateTimeOffset> InjectAsync(FaultKind kind, long version, string broker)
    {
        var model = FaultModels.Build(version, random);
        var chunks = FaultModels.Chunks(model);
        var manifest = Manifest(model, version);
        switch (kind)
        {
            case FaultKind.DaemonKilledMidDownload:
                {
                    var have = random.Next(1, chunks);
                    await PublishAsync(manifest, model, Enumerable.Range(0, have));
                    await Eventually.HoldsWithinAsync(() => Downloading(version, have, chunks), TimeSpan.FromSeconds(15));
                    ledger.Fault(kind, $"v{version}: daemon killed with {have} of {chunks} chunks on disk");
                    await _daemon.KillAsync();
                    var at = Now;
                    _daemon.Start();
                    await PublishAsync(manifest, model, Enumerable.Range(have, chunks - have));
                    return at;
                }

            case FaultKind.DaemonKilledMidSwap:
                {
                    var phase = new[] { "verifying", "optimising", "planning" }[random.Next(3)];
                    await PublishAsync(manifest, model, Enumerable.Range(0, chunks));
                    await Eventually.HoldsWithinAsync(() => Saw(version, phase) || Serving(version), TimeSpan.FromSeconds(20));
                    ledger.Fault(kind, $"v{version}: daemon killed {(Serving(version) ? "after" : "while")} {phase}");
                    await _daemon.KillAsync();
                    var at = Now;
                    _daemon.Start();
                    return at;
                }

            default:
                {
                    await PublishAsync(manifest, model, Enumerable.Range(0, chunks));
                    await Task.Delay(TimeSpan.FromMilliseconds(random.Next(0, 800)), TimeProvider.System, TestContext.Current.CancellationToken);
                    ledger.Fault(kind, $"v{version}: {(broker == "mosquitto" ? "Mosquitto (no persistence)" : "the daemon hosting the embedded broker")} killed at {Describe(version)}");
                    if (_mosquitto is not null)
                    {
                        await _mosquitto.KillAsync();
                        await _mosquitto.RestartAsync();
                        var at = Now;

                        // Mosquitto forgot what it held: the fleet publishes again and reads back, as edgectl does.
                        var path = Path.Combine(Path.GetTempPath(), $"edge-fault-{Guid.NewGuid():N}.onnx");
                        await File.WriteAllBytesAsync(path, model);
                        try
                        {
                            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                            await _fleet.WaitUntilConnectedAsync(deadline.Token);
                            await new ModelPublisher(_fleet, _topics).PublishAsync(path, manifest, key, announce: true, progress: null, deadline.Token);
                        }
                        finally
                        {
                            File.Delete(path);
                        }

                        return at;
                    }

                    await _daemon.KillAsync();
                    var killedAt = Now;
                    _daemon.Start();
                    return killedAt;
                }
        }
    }

    private async Task RecoveredAsync(long version, DateTimeOffset faultAt)
    {
        if (!await Eventually.HoldsWithinAsync(() => Serving(version), RecoveryLimit - (Now - faultAt)))
        {
            ledger.Violation($"v{version} does not serve {RecoveryLimit.TotalSeconds:0} s after the fault: {Describe(version)}");
            if (!await Eventually.HoldsWithinAsync(() => Serving(version), TimeSpan.FromSeconds(60)))
            {
                throw new InvalidOperationException($"v{version} never served; campaign stopped:\n{ledger.Report()}\n{_daemon.Output()}");
            }
        }

        ledger.Recovery(Now - faultAt);
        CheckServedFilesAreVerified(version);
        CheckQuota();
        try
        {
            var command = FleetCommands.Command(DeviceCommand.Deploy, version, expiresInSeconds: 10) with { DeviceId = _daemon.DeviceId };
            var reply = await new DeviceCommandClient(_fleet, _topics, TimeProvider.System).SendAsync(command, key, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            if (!reply.Ok || reply.ServingVersion != version)
            {
                ledger.Violation($"deploy of the serving v{version} answered: {reply.Message}");
            }
        }
        catch (TimeoutException)
        {
            ledger.Violation($"a command was not answered within its 10 s ({Describe(version)})");
        }
    }

    /// <summary>No inference from an unverified file: the serving version's model and plan match their signed and recorded hashes.</summary>
    private void CheckServedFilesAreVerified(long version)
    {
        var folder = Path.Combine(_daemon.StateDirectory, "models", Model, $"{version}");
        try
        {
            var envelope = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, ModelStore.ManifestFileName))).RootElement;
            var manifest = ModelManifestJson.Parse(Convert.FromBase64String(envelope.GetProperty("payload").GetString()!), out _)!;
            var model = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(folder, ModelStore.ModelFileName))));
            var plans = PlanFiles(folder).Select(p => (Record: p.Record, Plan: Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(p.Model))))).ToList();
            if (plans.Count == 0)
            {
                throw new FileNotFoundException($"no plan next to {folder}/{ModelStore.ModelFileName}");
            }

            // The optimiser's plan sits in the version's folder, the plan search's under plans/{key hash}/: one of them serves.
            if (model != manifest.Sha256 || !plans.Any(p => p.Record.GetProperty("key").GetProperty("modelSha256").GetString() == manifest.Sha256 && p.Record.GetProperty("planSha256").GetString() == p.Plan))
            {
                ledger.Violation($"v{version} serves from files that do not match their hashes (model {model[..12]}, signed {manifest.Sha256[..12]}, plans {string.Join(", ", plans.Select(p => p.Plan[..12]))})");
            }
        }
        catch (Exception ex) when (ex is IOException or JsonException or KeyNotFoundException or NullReferenceException)
        {
            ledger.Violation($"v{version} serves but its files cannot be checked: {ex.Message}");
        }
    }

    // The plan records of a version's folder with their model files: the optimiser path's plan.json (an ExecutionPlan)
    // and the plan search's plans/*/plan.json (a CachedPlan whose "plan" is one).
    private static IEnumerable<(JsonElement Record, string Model)> PlanFiles(string folder)
    {
        if (File.Exists(Path.Combine(folder, "plan.json")))
        {
            yield return (JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "plan.json"))).RootElement, Path.Combine(folder, "plan.onnx"));
        }

        var searched = Path.Combine(folder, "plans");
        foreach (var entry in Directory.Exists(searched) ? Directory.GetDirectories(searched) : [])
        {
            if (File.Exists(Path.Combine(entry, "plan.json")) && File.Exists(Path.Combine(entry, "plan.onnx")))
            {
                yield return (JsonDocument.Parse(File.ReadAllBytes(Path.Combine(entry, "plan.json"))).RootElement.GetProperty("plan"), Path.Combine(entry, "plan.onnx"));
            }
        }
    }

    private void CheckQuota()
    {
        var used = Bytes(Path.Combine(_daemon.StateDirectory, "models")) + Bytes(Path.Combine(_daemon.StateDirectory, "downloads"));
        if (used > DaemonUnderTest.QuotaMegabytes << 20)
        {
            ledger.Violation($"the store and downloads hold {used} bytes, over the {DaemonUnderTest.QuotaMegabytes} MB quota");
        }
    }

    private async Task Deliver(long version, byte[] model)
    {
        var manifest = Manifest(model, version);
        await PublishAsync(manifest, model, Enumerable.Range(0, manifest.Chunks.Count));
        if (!await Eventually.HoldsWithinAsync(() => Serving(version), TimeSpan.FromSeconds(60)))
        {
            throw new InvalidOperationException($"v{version} never served without a fault: {Describe(version)}\n{_daemon.Output()}");
        }
    }

    private static ModelManifest Manifest(byte[] model, long version)
    {
        var path = Path.Combine(Path.GetTempPath(), $"edge-fault-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, model);
        try
        {
            var now = TimeProvider.System.GetUtcNow();
            return ManifestBuilder.Build(path, Model, version, FaultModels.ChunkSize, now, now.AddDays(1));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Publishes <paramref name="chunks"/> (retained), then the version's manifest, a latest statement and the latest manifest.</summary>
    private async Task PublishAsync(ModelManifest manifest, byte[] model, IEnumerable<int> chunks)
    {
        await Task.WhenAll(chunks.Select(index => _fleet.PublishAsync(new OutgoingMessage(
            _topics.ModelChunk(Model, manifest.Version, index),
            model.AsMemory((int)manifest.ChunkOffset(index), manifest.ChunkLength(index)),
            retain: true))));
        var envelope = SignedEnvelope.Sign(ModelManifestJson.ToBytes(manifest), key).ToBytes();
        await _fleet.PublishAsync(new OutgoingMessage(_topics.ModelVersionManifest(Model, manifest.Version), envelope, retain: true));
        await _fleet.PublishAsync(new OutgoingMessage(_topics.ModelLatest(Model), LatestStatement.Sign(manifest, key, TimeProvider.System.GetUtcNow(), LatestStatement.DefaultLifetime), retain: true));
        await _fleet.PublishAsync(new OutgoingMessage(_topics.ModelManifest(Model), envelope, retain: true));
    }

    private Task OnStatus(ReceivedMessage message, CancellationToken cancellationToken)
    {
        if (DeviceStatusJson.TryParse(message.Payload.Span, out _) is { } status)
        {
            lock (_gate)
            {
                _status = status;
            }
        }

        return Task.CompletedTask;
    }

    private Task OnEvent(ReceivedMessage message, CancellationToken cancellationToken)
    {
        var root = JsonDocument.Parse(message.Payload).RootElement;
        if (root.TryGetProperty("phase", out var phase) && root.TryGetProperty("version", out var version))
        {
            lock (_gate)
            {
                _events.Add((message.Topic, phase.GetString() ?? string.Empty, version.GetInt64()));
            }
        }

        return Task.CompletedTask;
    }

    private ModelStatus? Status()
    {
        lock (_gate)
        {
            // Only what the running process said: a broker hands out the retained status of a killed one too.
            return _status is { State: DeviceState.Online } status && status.StartedAt >= _daemon.StartedAt - TimeSpan.FromSeconds(1)
                ? status.Models.FirstOrDefault(m => m.Name == Model)
                : null;
        }
    }

    private bool Serving(long version) => Status() is { Phase: ModelPhase.Serving } s && s.Version == version && s.ServingVersion == version;

    private bool Downloading(long version, int have, int total) => Status() is { Detail: { } d } s && s.Version == version && d.StartsWith($"chunks {have}/{total}", StringComparison.Ordinal);

    private bool Saw(long version, string phase)
    {
        lock (_gate)
        {
            return _events.Any(e => e.Version == version && e.Phase == phase);
        }
    }

    private string Describe(long version) => $"v{version} wanted; status {Status()?.ToString() ?? "offline"}";

    private static long Bytes(string folder) =>
        Directory.Exists(folder) ? new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;

    private static DateTimeOffset Now => TimeProvider.System.GetUtcNow();
}
