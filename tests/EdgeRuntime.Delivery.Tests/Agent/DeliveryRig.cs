using EdgeRuntime.Core.Models;
using EdgeRuntime.Core.Planning;
using EdgeRuntime.Delivery.Agent;
using EdgeRuntime.Delivery.Manifests;
using EdgeRuntime.Delivery.Preflight;
using EdgeRuntime.Delivery.Publishing;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Delivery.Store;
using EdgeRuntime.Delivery.Transfer;
using EdgeRuntime.Delivery.Trust;
using EdgeRuntime.Graph.Passes;
using EdgeRuntime.Inference.Serving;
using EdgeRuntime.Messaging.Broker;
using EdgeRuntime.Messaging.Configuration;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Topics;
using EdgeRuntime.Testing.Mqtt;

namespace EdgeRuntime.Delivery.Tests.Agent;

/// <summary>
/// A device's delivery stack wired as the daemon wires it — real broker, real store on disk, pre-flight in the
/// daemon's executable, ONNX Runtime serving — plus a fleet-side connection to publish with. The state directory
/// survives <see cref="RestartDeviceAsync"/>, as it survives a daemon restart.
/// </summary>
internal sealed class DeliveryRig : IAsyncDisposable
{
    public const string DeviceId = "rig-device";
    public const string Model = "traffic";

    private readonly Action<DeliveryOptions>? _configure;
    private readonly List<SigningKey> _trusted;
    private readonly RigDevice _device0;
    private IAsyncDisposable? _broker;
    private MqttConnectionSupervisor _device = null!;
    private TrustedKeys _trustedKeys = null!;

    private readonly bool _ownsStateDirectory;
    private readonly string _scratch = Directory.CreateTempSubdirectory("edge-rig-publish-").FullName;

    private DeliveryRig(string brokerAddress, IAsyncDisposable? broker, Action<DeliveryOptions>? configure, List<SigningKey> trusted, string? stateDirectory, RigDevice? device)
    {
        _device0 = device ?? new RigDevice();
        BrokerAddress = brokerAddress;
        _ownsStateDirectory = stateDirectory is null;
        StateDirectory = stateDirectory ?? Directory.CreateTempSubdirectory("edge-rig-").FullName;
        _broker = broker;
        _configure = configure;
        _trusted = trusted;
        Fleet = Supervisors.Started(brokerAddress, $"fleet-{Guid.NewGuid():N}"[..16], sessionful: false);
    }

    public string BrokerAddress { get; }

    /// <summary>The broker's port on 127.0.0.1 (for mosquitto_sub and mosquitto_pub).</summary>
    public int Port => int.Parse(BrokerAddress[(BrokerAddress.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    public MosquittoBroker? Mosquitto => _broker as MosquittoBroker;

    /// <summary>The device's state directory (a fresh temporary one unless the test gave its own, e.g. on a small file system).</summary>
    public string StateDirectory { get; }

    public MqttTopics Topics { get; } = new();

    public MqttConnectionSupervisor Fleet { get; }

    public ModelStatusBoard Board { get; private set; } = null!;

    public ModelServer Server { get; private set; } = null!;

    public ModelStore Store { get; private set; } = null!;

    public MqttChunkSource Chunks { get; private set; } = null!;

    public ModelDeliveryAgent Agent { get; private set; } = null!;

    /// <summary>The device's activator, for what activates versions outside delivery (on-device learning's local revisions).</summary>
    public OnnxModelActivator Activator { get; private set; } = null!;

    public DeliveryOptions Options { get; private set; } = null!;

    /// <summary>The device's trust state (command nonces, version floors, newest signed time) in <c>{state}/trust</c>.</summary>
    public DeviceTrust Trust { get; private set; } = null!;

    /// <summary>The device's clock standing, as the status shows it.</summary>
    public Core.Devices.ClockStatusBoard ClockBoard { get; } = new();

    /// <summary>Starts a rig on a fresh broker of <paramref name="kind"/> ("embedded" or "mosquitto").</summary>
    public static async Task<DeliveryRig> StartAsync(string kind, SigningKey key, Action<DeliveryOptions>? configure = null, IEnumerable<string>? mosquittoConfig = null, string? stateDirectory = null, RigDevice? device = null)
    {
        IAsyncDisposable broker;
        string address;
        if (kind == "mosquitto")
        {
            var mosquitto = await MosquittoBroker.StartAsync(mosquittoConfig);
            (broker, address) = (mosquitto, mosquitto.Address);
        }
        else
        {
            var port = FreeTcpPort.Next();
            broker = await EmbeddedMqttBroker.StartAsync(port, TestLogging.For<EmbeddedMqttBroker>());
            address = $"127.0.0.1:{port}";
        }

        var rig = new DeliveryRig(address, broker, configure, [key], stateDirectory, device);
        await rig.StartDeviceAsync();
        await rig.Fleet.WaitUntilConnectedAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(20));
        return rig;
    }

    /// <summary>
    /// Stops the device side (as a daemon stop would) and starts it again on the same state directory;
    /// <paramref name="afterStop"/> runs while it is down (to damage files, as a crash or a person might).
    /// </summary>
    public async Task RestartDeviceAsync(Action? afterStop = null)
    {
        await StopDeviceAsync();
        afterStop?.Invoke();
        await StartDeviceAsync();
    }

    /// <summary>The model's state on the device now.</summary>
    public ModelStatus? Status(string model = Model) => Board.Snapshot().FirstOrDefault(s => s.Name == model);

    /// <summary>Waits until the model's state satisfies <paramref name="condition"/>.</summary>
    public Task WaitForStatusAsync(Func<ModelStatus, bool> condition, string what, string model = Model, double seconds = 60) =>
        Eventually.TrueAsync(() => Status(model) is { } status && condition(status), $"{what} (now: {Status(model)})", TimeSpan.FromSeconds(seconds));

    /// <summary>Waits until <paramref name="version"/> serves.</summary>
    public Task WaitUntilServingAsync(long version, string model = Model) =>
        WaitForStatusAsync(s => s.Phase == ModelPhase.Serving && s.ServingVersion == version, $"{model} v{version} serving", model, seconds: 90);

    /// <summary>Waits until <paramref name="version"/> was refused; returns the reason.</summary>
    public async Task<string> WaitUntilRefusedAsync(long version, string model = Model)
    {
        await WaitForStatusAsync(s => s.Phase == ModelPhase.Failed && s.Version == version, $"{model} v{version} refused", model, seconds: 90);
        return Status(model)!.Detail!;
    }

    /// <summary>
    /// Publishes a model version the way the fleet does, with hooks to break it: chunks (retained), then the
    /// version's manifest and — when announced — a latest statement naming it and the latest manifest.
    /// </summary>
    public async Task<ModelManifest> PublishAsync(
        byte[] model,
        long version,
        SigningKey key,
        string name = Model,
        int chunkSize = 4096,
        Func<ModelManifest, ModelManifest>? editManifest = null,
        Func<int, byte[], byte[]>? editChunk = null,
        Func<byte[], byte[]>? editEnvelope = null,
        IReadOnlyCollection<int>? onlyChunks = null,
        bool announce = true,
        Func<ModelManifest, Task>? beforeAnnounce = null,
        ManifestTargets? targets = null)
    {
        var path = Path.Combine(_scratch, $"publish-{name}-{version}-{Guid.NewGuid():N}.onnx");
        await File.WriteAllBytesAsync(path, model);
        var now = TimeProvider.System.GetUtcNow();
        var manifest = ManifestBuilder.Build(path, name, version, chunkSize, now, now.AddDays(1), targets: targets);
        manifest = editManifest?.Invoke(manifest) ?? manifest;
        if (manifest.Url is null)
        {
            await PublishChunksAsync(manifest, model, editChunk, onlyChunks);
        }

        var envelope = SignedEnvelope.Sign(ModelManifestJson.ToBytes(manifest), key).ToBytes();
        envelope = editEnvelope?.Invoke(envelope) ?? envelope;
        await Fleet.PublishAsync(new OutgoingMessage(Topics.ModelVersionManifest(name, version), envelope, retain: true));
        if (beforeAnnounce is not null)
        {
            await beforeAnnounce(manifest);
        }

        if (announce)
        {
            await PublishLatestAsync(manifest, key);
            await Fleet.PublishAsync(new OutgoingMessage(Topics.ModelManifest(name), envelope, retain: true));
        }

        File.Delete(path);
        return manifest;
    }

    /// <summary>Publishes a latest statement for <paramref name="manifest"/> (as signed), created at <paramref name="createdAt"/> (default now), valid for <paramref name="lifetime"/> (default a day).</summary>
    public async Task PublishLatestAsync(ModelManifest manifest, SigningKey key, DateTimeOffset? createdAt = null, TimeSpan? lifetime = null)
    {
        var statement = LatestStatement.Sign(manifest, key, createdAt ?? TimeProvider.System.GetUtcNow(), lifetime ?? LatestStatement.DefaultLifetime);
        await Fleet.PublishAsync(new OutgoingMessage(Topics.ModelLatest(manifest.Name), statement, retain: true));
    }

    /// <summary>
    /// What anyone who can publish on the broker can do without a key: read the retained message on
    /// <paramref name="from"/> with mosquitto_sub and publish its bytes retained on <paramref name="to"/> with mosquitto_pub.
    /// </summary>
    /// <returns>The copied payload.</returns>
    public async Task<string> CopyRetainedAsync(string from, string to)
    {
        string payload;
        await using (var reader = await MosquittoSubscriber.StartAsync(Port, from))
        {
            payload = (await reader.WaitForAsync(m => m.Topic == from, $"the retained message on {from}")).Payload;
        }

        await MosquittoPublisher.PublishAsync(Port, to, payload, retain: true);
        return payload;
    }

    /// <summary>Publishes chunks of <paramref name="model"/> (all, or <paramref name="only"/> those).</summary>
    public async Task PublishChunksAsync(ModelManifest manifest, byte[] model, Func<int, byte[], byte[]>? editChunk = null, IReadOnlyCollection<int>? only = null)
    {
        var pending = new List<Task>();
        for (var index = 0; index < manifest.Chunks.Count; index++)
        {
            if (only is not null && !only.Contains(index))
            {
                continue;
            }

            var chunk = model.AsSpan((int)manifest.ChunkOffset(index), manifest.ChunkLength(index)).ToArray();
            chunk = editChunk?.Invoke(index, chunk) ?? chunk;
            pending.Add(Fleet.PublishAsync(new OutgoingMessage(Topics.ModelChunk(manifest.Name, manifest.Version, index), chunk, retain: true)));
        }

        await Task.WhenAll(pending);
    }

    public async ValueTask DisposeAsync()
    {
        await StopDeviceAsync();
        await Fleet.DisposeAsync();
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
            _broker = null;
        }

        try
        {
            Directory.Delete(_scratch, recursive: true);
            if (_ownsStateDirectory)
            {
                Directory.Delete(StateDirectory, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }

    private async Task StartDeviceAsync()
    {
        Options = new DeliveryOptions { ChunkTimeoutSeconds = 3, PreflightTimeoutSeconds = 60 };
        _configure?.Invoke(Options);
        var clock = _device0.Clock ?? TimeProvider.System;
        Trust = new DeviceTrust(Path.Combine(StateDirectory, "trust"), clock, TestLogging.For<DeviceTrust>(), ClockBoard);
        _device = Supervisors.Started(BrokerAddress, DeviceId, sessionful: true, holdAtStart: Topics.QueuedWhileAway(DeviceId));
        _trustedKeys = TrustedKeys.Of([.. _trusted]);
        Board = new ModelStatusBoard();
        Server = new ModelServer();
        Store = new ModelStore(Path.Combine(StateDirectory, "models"), Options.KeepVersions, Options.StoreQuotaMegabytes << 20);
        Chunks = new MqttChunkSource(_device, Topics, Options.DownloadParallelism, TimeSpan.FromSeconds(Options.ChunkTimeoutSeconds), clock, TestLogging.For<MqttChunkSource>());
        var activator = Activator = new OnnxModelActivator(Server, new ServingOptions { OptimizationLevel = OptimizationLevel.O1, MeasureVariants = false, WarmupRuns = 1 }, ExecutionProvider.Cpu);
        var parts = new DeliveryAgentParts(
            Options,
            DeviceId,
            _device,
            Topics,
            _trustedKeys,
            Store,
            Path.Combine(StateDirectory, "downloads"),
            Chunks,
            new UrlChunkSource(new HttpClient(), Options.AllowPlainHttp),
            new PreflightRunner(
                new PreflightCommand("dotnet", [EdgeRuntimeBinaries.Daemon, "preflight"]),
                new PreflightLimits((long)Options.PreflightMemoryMegabytes << 20, TimeSpan.FromSeconds(Options.PreflightTimeoutSeconds), Options.PreflightRuns),
                clock,
                TestLogging.For<PreflightRunner>()),
            activator,
            new ModelProgressReporter(Board, _device, Topics.DeviceEvents(DeviceId), clock, TestLogging.For<ModelProgressReporter>()),
            clock,
            Trust)
        {
            DeviceTags = _device0.Tags,
        };
        Agent = new ModelDeliveryAgent(parts, TestLogging.For<ModelDeliveryAgent>());
        await Agent.StartAsync(TestContext.Current.CancellationToken);

        // Connected means subscribed on the broker: a command sent from now on reaches the device.
        await _device.WaitUntilConnectedAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(20));
    }

    private async Task StopDeviceAsync()
    {
        if (Agent is null)
        {
            return;
        }

        await Agent.DisposeAsync();
        Server.Dispose();
        await _device.DisposeAsync();
        _trustedKeys.Dispose();
        Agent = null!;
    }
}

/// <summary>Broker connections wired as the daemon and edgectl wire them, with short reconnect delays.</summary>
internal static class Supervisors
{
    /// <summary>A started connection; with <paramref name="passwordFile"/> it logs in as a daemon's embedded broker wants (user local, that file read at each connect).</summary>
    public static MqttConnectionSupervisor Started(string server, string clientId, bool sessionful, string? passwordFile = null, IReadOnlyList<string>? holdAtStart = null)
    {
        var options = new MqttOptions
        {
            Server = server,
            KeepAliveSeconds = 5,
            CleanStart = !sessionful,
            SessionExpirySeconds = sessionful ? 3600 : 0,
            Reconnect = { InitialDelayMilliseconds = 50, MaxDelayMilliseconds = 300 },
            Username = passwordFile is null ? null : LocalBrokerCredential.Username,
            PasswordFile = passwordFile,
        };
        Assert.True(BrokerEndpoint.TryParse(options.Server, out var endpoint, out var error), error);
        var supervisor = new MqttConnectionSupervisor(
            MqttClientOptionsFactory.Create(options, endpoint!, clientId, lastWill: null),
            MqttReconnectPipeline.Create(options.Reconnect, endpoint!.ToString(), TimeProvider.System, TestLogging.For<MqttConnectionSupervisor>()),
            100_000,
            TimeProvider.System,
            TestLogging.For<MqttConnectionSupervisor>());
        supervisor.HoldAtStartFor(holdAtStart ?? []);
        supervisor.Start();
        return supervisor;
    }
}

/// <summary>How the rig's device differs from a plain one: its tags, and a clock of its own (a wrong one, for clock tests).</summary>
/// <param name="Tags">Its <c>DeviceTags</c>.</param>
/// <param name="Clock">Its clock; null: the system clock.</param>
internal sealed record RigDevice(IReadOnlyList<string> Tags, TimeProvider? Clock = null)
{
    public RigDevice()
        : this([])
    {
    }
}
