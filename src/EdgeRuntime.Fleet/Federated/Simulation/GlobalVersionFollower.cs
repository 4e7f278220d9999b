using System.Security.Cryptography;
using EdgeRuntime.Delivery.Manifests;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Delivery.Transfer;
using EdgeRuntime.Federated.Aggregation;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Topics;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet.Protocol;

namespace EdgeRuntime.Fleet.Federated.Simulation;

/// <summary>
/// What the simulated devices share of model delivery: it follows the model's signed manifest, fetches each new
/// version's chunks from the broker (<see cref="MqttChunkSource"/>), checks every chunk's and the file's sha256 against
/// the signed manifest, and reads the trainable parameters out of the delivered ONNX file — once for the whole
/// simulated fleet instead of once per device, which changes nothing but the simulation's cost.
/// </summary>
internal sealed class GlobalVersionFollower(MqttConnectionSupervisor connection, MqttTopics topics, string model, TrustedKeys fleetKeys, GlobalModel template, TimeProvider timeProvider) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _fetching = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private IAsyncDisposable? _subscription;
    private DeliveredVersion? _latest;
    private long _announced;

    /// <summary>The newest version fetched and checked.</summary>
    public DeliveredVersion? Latest
    {
        get
        {
            lock (_gate)
            {
                return _latest;
            }
        }
    }

    /// <summary>The newest version announced (a signed manifest seen).</summary>
    public long Announced => Interlocked.Read(ref _announced);

    /// <summary>Manifests or fetches refused (bad signature, wrong hash, chunks not in time).</summary>
    public long Refused { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken) =>
        _subscription = await connection.SubscribeAsync(topics.ModelManifest(model), (message, _) => OnManifestAsync(message), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_subscription is not null)
        {
            await _subscription.DisposeAsync();
        }

        _stop.Dispose();
        _fetching.Dispose();
    }

    private async Task OnManifestAsync(ReceivedMessage message)
    {
        if (message.Payload.IsEmpty)
        {
            return;
        }

        var check = SignedEnvelope.Open(message.Payload.Span, fleetKeys);
        if (!check.IsAccepted || ModelManifestJson.Parse(check.Document.Span, out _) is not { } manifest || manifest.Name != model)
        {
            Refused++;
            return;
        }

        InterlockedMax(ref _announced, manifest.Version);
        if (Latest is { } latest && latest.Version >= manifest.Version)
        {
            return;
        }

        // Fetched off the subscription's task, so later manifests (and the chunk subscriptions) keep flowing.
        _ = Task.Run(() => FetchAsync(manifest), CancellationToken.None);
    }

    private async Task FetchAsync(ModelManifest manifest)
    {
        // A fetch that times out on a loaded machine is tried again, as a device's delivery resumes: no later manifest
        // may come to start another (the first version, the last of a run).
        for (var attempt = 1; attempt <= MaxAttempts && !_stop.IsCancellationRequested; attempt++)
        {
            if (await TryFetchAsync(manifest) || (Latest is { } latest && latest.Version >= manifest.Version))
            {
                return;
            }
        }
    }

    private const int MaxAttempts = 5;

    private async Task<bool> TryFetchAsync(ModelManifest manifest)
    {
        await _fetching.WaitAsync(_stop.Token);
        try
        {
            if (Latest is { } latest && latest.Version >= manifest.Version)
            {
                return true;
            }

            var bytes = new byte[manifest.Length];
            var source = new MqttChunkSource(connection, topics, 8, TimeSpan.FromSeconds(10), timeProvider, NullLogger<MqttChunkSource>.Instance);
            await source.FetchAsync(manifest, [.. Enumerable.Range(0, manifest.Chunks.Count)], (index, chunk) =>
            {
                if (chunk.Length != manifest.ChunkLength(index) || Convert.ToHexStringLower(SHA256.HashData(chunk.Span)) != manifest.Chunks[index])
                {
                    throw new TransferException($"chunk {index} of {manifest} does not match its signed hash");
                }

                chunk.Span.CopyTo(bytes.AsSpan((int)manifest.ChunkOffset(index)));
            }, _stop.Token);
            if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != manifest.Sha256)
            {
                Refused++;
                return false;
            }

            var parameters = template.ReadParameters(bytes);
            lock (_gate)
            {
                if (_latest is null || _latest.Version < manifest.Version)
                {
                    _latest = new DeliveredVersion(manifest.Version, bytes, parameters);
                }
            }

            return true;
        }
        catch (Exception ex) when (ex is TransferException or InvalidDataException)
        {
            Refused++;
            return false;
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return true;
        }
        finally
        {
            _fetching.Release();
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        do
        {
            current = Interlocked.Read(ref target);
            if (value <= current)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref target, value, current) != current);
    }
}

/// <summary>A global version as delivered: its number, file and trainable parameters.</summary>
internal sealed record DeliveredVersion(long Version, byte[] Bytes, float[] Parameters);
