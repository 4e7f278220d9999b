using System.Collections.Concurrent;
using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Core.Models;
using EdgeRuntime.Delivery.Commands;
using EdgeRuntime.Delivery.Publishing;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Delivery.Store;
using EdgeRuntime.Delivery.Tests.Agent;
using EdgeRuntime.Inference.Serving;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Testing.FileSystems;

namespace EdgeRuntime.Delivery.Tests.Faults;

/// <summary>
/// Faults against the delivery stack hosted in the test process (no child process needed): chunks deleted or stray on
/// the broker, files damaged in the state directory across a restart, a full disk, a Mosquitto killed. While it runs, a
/// client asks the served model every few milliseconds and checks each answer against the version it names.
/// </summary>
internal sealed class InProcessCampaign(FaultLedger ledger, Random random, SigningKey key)
{
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(30);
    private readonly ConcurrentQueue<string> _wrongAnswers = new();
    private DeliveryRig _rig = null!;
    private SizeLimitedFileSystem? _disk;
    private long _answers;

    /// <summary>Runs <paramref name="faults"/> faults on a device behind <paramref name="broker"/>; returns the last version published.</summary>
    public async Task<long> RunAsync(string broker, int faults, long version)
    {
        _disk = await TryMountAsync();
        _rig = await DeliveryRig.StartAsync(broker, key, Configure, stateDirectory: _disk?.Path);
        using var stop = new CancellationTokenSource();
        var asker = Task.Run(() => AskAsync(stop.Token));
        try
        {
            await DeliverAsync(++version);
            var kinds = new List<FaultKind> { FaultKind.ChunkDeleted, FaultKind.StrayChunkMessage, FaultKind.DamagedState, FaultKind.DamagedManifest, FaultKind.DamagedModel, FaultKind.DamagedPlan };
            if (_disk is not null)
            {
                kinds.Add(FaultKind.FullDisk);
            }

            if (broker == "mosquitto")
            {
                kinds.Add(FaultKind.BrokerKilled);
            }

            for (var i = 0; i < faults; i++)
            {
                var kind = kinds[random.Next(kinds.Count)];
                version++;
                var faultAt = await InjectAsync(kind, version);
                await RecoveredAsync(version, faultAt);
            }

            await stop.CancelAsync();
            await asker;
            ledger.Note($"in-process: {Interlocked.Read(ref _answers)} answers checked against their versions");
            foreach (var wrong in _wrongAnswers.GroupBy(w => w))
            {
                ledger.Violation($"{wrong.Key} ({wrong.Count()} times)");
            }

            return version;
        }
        finally
        {
            await stop.CancelAsync();
            await _rig.DisposeAsync();
            if (_disk is not null)
            {
                await _disk.DisposeAsync();
            }
        }
    }

    private static void Configure(Delivery.Agent.DeliveryOptions options)
    {
        options.ChunkTimeoutSeconds = 2;
        options.RetryDelaySeconds = 1;
        options.MaxRetryDelaySeconds = 4;
        options.StoreQuotaMegabytes = 4;
    }

    private async Task<SizeLimitedFileSystem?> TryMountAsync()
    {
        var (disk, problem) = await SizeLimitedFileSystem.TryMountAsync(24 << 20);
        if (disk is null)
        {
            // Under CI (root) a full disk is required; elsewhere the other faults still run, and the log says why this one does not.
            Assert.False(TestEnvironment.IsCI, $"full-disk faults need a size-limited file system: {problem}");
            ledger.Note($"full-disk faults left out: {problem}");
        }

        return disk;
    }

    /// <summary>Places one fault of <paramref name="kind"/> around the delivery of <paramref name="version"/>; returns when the fault was placed.</summary>
    private async Task<DateTimeOffset> InjectAsync(FaultKind kind, long version)
    {
        var model = FaultModels.Build(version, random);
        var chunks = FaultModels.Chunks(model);
        switch (kind)
        {
            case FaultKind.ChunkDeleted:
                {
                    var index = random.Next(chunks);
                    var early = random.Next(2) == 0;
                    ledger.Fault(kind, $"v{version}: chunk {index} of {chunks} deleted {(early ? "before the manifest came" : "while downloading")}");
                    var manifest = await _rig.PublishAsync(model, version, key, chunkSize: FaultModels.ChunkSize, beforeAnnounce: early ? _ => DeleteChunkAsync(version, index) : null);
                    if (!early)
                    {
                        await DeleteChunkAsync(version, index);
                    }

                    var at = Now;
                    if (await Eventually.HoldsWithinAsync(() => Stalled(version) || Serving(version), TimeSpan.FromSeconds(15)) && Stalled(version))
                    {
                        if (Status()?.Detail?.Contains($"{index}", StringComparison.Ordinal) != true || Status()?.Code != RefusalCode.ChunkMissing)
                        {
                            ledger.Violation($"stalled without naming chunk {index} with chunk-missing: {Status()}");
                        }

                        // The lane is not stuck behind the stall: a command is answered.
                        await CommandAnsweredAsync(version - 1);
                    }

                    await _rig.PublishChunksAsync(manifest, model, only: [index]);
                    return at;
                }

            case FaultKind.StrayChunkMessage:
                {
                    var index = random.Next(chunks);
                    ledger.Fault(kind, $"v{version}: 4 bytes, not retained, on chunk {index} of {chunks}");
                    var manifest = await _rig.PublishAsync(model, version, key, chunkSize: FaultModels.ChunkSize, onlyChunks: [.. Enumerable.Range(0, chunks).Where(i => i != index)]);
                    await Eventually.HoldsWithinAsync(() => Status() is { Version: var v, Detail: { } d } && v == version && d.StartsWith($"chunks {chunks - 1}/{chunks}", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
                    var strays = _rig.Chunks.StraysDropped;
                    await Eventually.HoldsWithinAsync(
                        () =>
                        {
                            _ = _rig.Fleet.PublishAsync(new OutgoingMessage(_rig.Topics.ModelChunk(DeliveryRig.Model, version, index), new byte[] { 1, 2, 3, 4 }));
                            return _rig.Chunks.StraysDropped > strays;
                        },
                        TimeSpan.FromSeconds(10));
                    var at = Now;
                    await _rig.PublishChunksAsync(manifest, model, only: [index]);
                    return at;
                }

            case FaultKind.DamagedState or FaultKind.DamagedManifest or FaultKind.DamagedModel or FaultKind.DamagedPlan:
                {
                    await DeliverAsync(version, model);
                    var folder = _rig.Store.VersionFolder(DeliveryRig.Model, version);
                    var what = string.Empty;
                    await _rig.RestartDeviceAsync(() => what = Damage(kind, version, folder));
                    ledger.Fault(kind, $"v{version}: {what}, then a restart");
                    return Now;
                }

            case FaultKind.FullDisk:
                {
                    var leave = random.Next(0, model.Length * 2);
                    var filler = _disk!.Fill(Math.Max(0, _disk.FreeBytes - leave));
                    ledger.Fault(kind, $"v{version} ({model.Length} bytes) offered with {_disk.FreeBytes} bytes free");
                    var at = Now;
                    await _rig.PublishAsync(model, version, key, chunkSize: FaultModels.ChunkSize);
                    if (await Eventually.HoldsWithinAsync(() => Status() is { Phase: ModelPhase.Failed } s && s.Version == version || Serving(version), RecoveryLimit) && !Serving(version))
                    {
                        var status = Status()!;
                        if (status.Code != RefusalCode.DiskFull || status.ServingVersion != version - 1 || _rig.Server.ServingVersion(DeliveryRig.Model) != version - 1)
                        {
                            ledger.Violation($"a full disk is not reported as v{version} disk-full while v{version - 1} serves: {status}");
                        }
                    }

                    // Space returns; nobody publishes again.
                    File.Delete(filler);
                    return at;
                }

            case FaultKind.BrokerKilled:
                {
                    var have = random.Next(1, chunks);
                    var manifest = await _rig.PublishAsync(model, version, key, chunkSize: FaultModels.ChunkSize, onlyChunks: [.. Enumerable.Range(0, have)]);
                    await Eventually.HoldsWithinAsync(() => Status() is { Version: var v, Detail: { } d } && v == version && d.StartsWith($"chunks {have}/{chunks}", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
                    ledger.Fault(kind, $"v{version}: Mosquitto (no persistence) killed with {have} of {chunks} chunks on the device");
                    await _rig.Mosquitto!.KillAsync();
                    await _rig.Mosquitto.RestartAsync();
                    var at = Now;

                    // The fleet publishes again, as edgectl does: everything, read back until retained.
                    var path = Path.Combine(Path.GetTempPath(), $"edge-fault-{Guid.NewGuid():N}.onnx");
                    await File.WriteAllBytesAsync(path, model);
                    try
                    {
                        await _rig.Fleet.WaitUntilConnectedAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(20));
                        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                        await new ModelPublisher(_rig.Fleet, _rig.Topics).PublishAsync(path, manifest, key, announce: true, progress: null, deadline.Token);
                    }
                    finally
                    {
                        File.Delete(path);
                    }

                    return at;
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an in-process fault");
        }
    }

    private string Damage(FaultKind kind, long version, string folder)
    {
        switch (kind)
        {
            case FaultKind.DamagedState:
                File.WriteAllText(Path.Combine(_rig.Store.Root, DeliveryRig.Model, "state.json"), "{\"servingVersion\": 1, \"high");
                return "state.json garbled";
            case FaultKind.DamagedManifest:
                var manifest = Path.Combine(folder, ModelStore.ManifestFileName);
                File.WriteAllBytes(manifest, File.ReadAllBytes(manifest)[..random.Next(1, 200)]);
                return "its signed manifest truncated";
            case FaultKind.DamagedModel:
                return FaultModels.FlipFactor(Path.Combine(folder, ModelStore.ModelFileName), version) ? "a weight flipped in model.onnx" : "model.onnx (weight not found)";
            default:
                var plan = Path.Combine(folder, "plan.onnx");
                if (random.Next(2) == 0)
                {
                    return FaultModels.FlipFactor(plan, version) ? "a weight flipped in plan.onnx" : "plan.onnx (weight not found)";
                }

                File.WriteAllBytes(plan, File.ReadAllBytes(plan)[..(int)(new FileInfo(plan).Length / 3)]);
                return "plan.onnx truncated";
        }
    }

    /// <summary>Checks every invariant once <paramref name="version"/> should serve again.</summary>
    private async Task RecoveredAsync(long version, DateTimeOffset faultAt)
    {
        if (!await Eventually.HoldsWithinAsync(() => Serving(version), RecoveryLimit - (Now - faultAt)))
        {
            ledger.Violation($"v{version} does not serve {RecoveryLimit.TotalSeconds:0} s after the fault: {Status()}");
            if (!await Eventually.HoldsWithinAsync(() => Serving(version), TimeSpan.FromSeconds(60)))
            {
                throw new InvalidOperationException($"v{version} never served; campaign stopped:\n{ledger.Report()}");
            }
        }

        ledger.Recovery(Now - faultAt);
        var status = Status()!;
        if (status.Version != version || status.ServingVersion != version)
        {
            ledger.Violation($"status names the wrong version: {status}");
        }

        try
        {
            var (answer, answeredBy) = FaultModels.Ask(_rig.Server, DeliveryRig.Model);
            if (answeredBy != version || answer != FaultModels.Factor(version))
            {
                ledger.Violation($"v{answeredBy} answered {answer}, v{version} should answer {FaultModels.Factor(version)}");
            }
        }
        catch (ModelNotServingException ex)
        {
            ledger.Violation(ex.Message);
        }

        if (_rig.Store.UsedBytes() > _rig.Store.QuotaBytes)
        {
            ledger.Violation($"the store holds {_rig.Store.UsedBytes()} bytes, over its quota of {_rig.Store.QuotaBytes}");
        }

        await CommandAnsweredAsync(version);
    }

    /// <summary>No stuck lane: a deploy of the serving version is answered within its 10 s.</summary>
    private async Task CommandAnsweredAsync(long serving)
    {
        try
        {
            var reply = await new DeviceCommandClient(_rig.Fleet, _rig.Topics, TimeProvider.System)
                .SendAsync(FleetCommands.Command(DeviceCommand.Deploy, serving, expiresInSeconds: 10), key, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            if (!reply.Ok)
            {
                ledger.Violation($"deploy of the serving v{serving} answered: {reply.Message}");
            }
        }
        catch (TimeoutException)
        {
            ledger.Violation($"a command was not answered within its 10 s (status: {Status()})");
        }
    }

    private async Task DeliverAsync(long version, byte[]? model = null)
    {
        await _rig.PublishAsync(model ?? FaultModels.Build(version, random), version, key, chunkSize: FaultModels.ChunkSize);
        if (!await Eventually.HoldsWithinAsync(() => Serving(version), TimeSpan.FromSeconds(60)))
        {
            throw new InvalidOperationException($"v{version} never served without a fault: {Status()}\n{ledger.Report()}");
        }
    }

    private Task DeleteChunkAsync(long version, int index) =>
        _rig.Fleet.PublishAsync(new OutgoingMessage(_rig.Topics.ModelChunk(DeliveryRig.Model, version, index), ReadOnlyMemory<byte>.Empty, retain: true));

    private async Task AskAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var (answer, version) = FaultModels.Ask(_rig.Server, DeliveryRig.Model);
                Interlocked.Increment(ref _answers);
                if (answer != FaultModels.Factor(version))
                {
                    _wrongAnswers.Enqueue($"an inference from a file that was not verified: v{version} answered {answer}, its signed model answers {FaultModels.Factor(version)}");
                }
            }
            catch (Exception ex) when (ex is ModelNotServingException or ObjectDisposedException or NullReferenceException)
            {
                // Between a stop and a start of the device there is no version to ask.
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private ModelStatus? Status() => _rig.Status();

    private bool Serving(long version) => Status() is { Phase: ModelPhase.Serving } s && s.ServingVersion == version && _rig.Server.ServingVersion(DeliveryRig.Model) == version;

    private bool Stalled(long version) => Status() is { Phase: ModelPhase.Stalled } s && s.Version == version;

    private static DateTimeOffset Now => TimeProvider.System.GetUtcNow();
}
