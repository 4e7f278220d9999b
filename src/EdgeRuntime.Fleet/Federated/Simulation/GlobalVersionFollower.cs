using System.Security.Cryptography;
using EdgeRuntime.Delivery.Manifests;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Delivery.Transfer;
using EdgeRuntime.Federated.Aggregation;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Topics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet.Protocol;

namespace EdgeRuntime.Fleet.Federated.Simulation;

/// <summary>
/// What the simulated devices share of model delivery: it follows the model's signed manifest, fetches each new
/// version's chunks from the broker (<see cref="MqttChunkSource"/>), checks every chunk's and the file's sha256 against
/// the signed manifest, and reads the trainable parameters out of the delivered ONNX file — once for the whole
/// simulated fleet instead of once per device, which changes nothing but the simulation's cost. It reconciles: while the
/// newest version announced is newer than the newest fetched (<see cref="GlobalVersionPlan"/>), one background fetch
/// runs under the <see cref="GlobalVersionFetchPipeline"/>, each attempt taking the newest manifest seen by then, so a
/// failed fetch of any kind is tried again rather than left for a manifest that may never come.
/// </summary>
/// <param name="connection">A started broker connection (the caller owns it and disposes it after the follower).</param>
/// <param name="topics">The topic contract.</param>
/// <param name="model">The model's name.</param>
/// <param name="fleetKeys">The keys manifests must be signed with.</param>
/// <param name="template">Reads the trainable parameters out of a delivered file.</param>
/// <param name="timeProvider">The real clock (chunk timeouts, back-off between attempts).</param>
/// <param name="logger">One line per failed fetch, with its reason; null: none.</param>
/// <param name="chunkSource">Where chunks come from; null: the broker, through a new <see cref="MqttChunkSource"/> per attempt.</param>
internal sealed partial class GlobalVersionFollower(MqttConnectionSupervisor connection, MqttTopics topics, string model, TrustedKeys fleetKeys, GlobalModel template, TimeProvider timeProvider, ILogger? logger = null, Func<IChunkSource>? chunkSource = null) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private IAsyncDisposable? _subscription;
    private ModelManifest? _newest;
    private ModelManifest? _attempting;
    private DeliveredVersion? _latest;
    private Task? _reconcile;
    private bool _reconciling;
    private string? _lastFailure;
    private long _refused;
    private long _failures;

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

    /// <summary>The newest version announced (a signed manifest seen); 0 before any.</summary>
    public long Announced
    {
        get
        {
            lock (_gate)
            {
                return _newest?.Version ?? 0;
            }
        }
    }

    /// <summary>Manifests or fetches refused (bad signature, wrong hash).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Fetch attempts that failed (each tried again).</summary>
    public long FetchFailures => Interlocked.Read(ref _failures);

    /// <summary>Why the last failed fetch attempt failed ("v3: IOException: …"); null when none failed.</summary>
    public string? LastFailure => Volatile.Read(ref _lastFailure);

    public async Task StartAsync(CancellationToken cancellationToken) =>
        _subscription = await connection.SubscribeAsync(topics.ModelManifest(model), (message, _) => OnManifestAsync(message), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken);

    /// <summary>Stops following and waits for a fetch under way to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_subscription is not null)
        {
            await _subscription.DisposeAsync();
        }

        Task? reconcile;
        lock (_gate)
        {
            reconcile = _reconcile;
        }

        if (reconcile is not null)
        {
            await reconcile;
        }

        _stop.Dispose();
    }

    private Task OnManifestAsync(ReceivedMessage message)
    {
        if (message.Payload.IsEmpty)
        {
            return Task.CompletedTask;
        }

        var check = SignedEnvelope.Open(message.Payload.Span, fleetKeys);
        if (!check.IsAccepted || ModelManifestJson.Parse(check.Document.Span, out _) is not { } manifest || manifest.Name != model)
        {
            Interlocked.Increment(ref _refused);
            return Task.CompletedTask;
        }

        lock (_gate)
        {
            if (_newest is null || manifest.Version > _newest.Version)
            {
                _newest = manifest;
            }

            // One reconcile at a time, off the subscription's task, so later manifests (and the chunk subscriptions)
            // keep flowing; a running one picks up a newer manifest at its next attempt or when it has fetched.
            if (!_reconciling && GlobalVersionPlan.NextFetch(_newest, _latest?.Version) is not null)
            {
                _reconciling = true;
                _reconcile = Task.Run(ReconcileAsync, CancellationToken.None);
            }
        }

        return Task.CompletedTask;
    }

    private async Task ReconcileAsync()
    {
        var pipeline = GlobalVersionFetchPipeline.Create(timeProvider, OnFetchFailed);
        try
        {
            while (true)
            {
                lock (_gate)
                {
                    // Decided under the lock OnManifestAsync takes: a manifest that came before is fetched by this loop, one
                    // that comes after starts the next.
                    if (GlobalVersionPlan.NextFetch(_newest, _latest?.Version) is null)
                    {
                        _reconciling = false;
                        return;
                    }
                }

                await pipeline.ExecuteAsync(static async (follower, token) => await follower.FetchNextAsync(token), this, _stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>One attempt: fetches the version <see cref="GlobalVersionPlan"/> names now, checks it and makes it <see cref="Latest"/>.</summary>
    private async ValueTask FetchNextAsync(CancellationToken cancellationToken)
    {
        ModelManifest manifest;
        lock (_gate)
        {
            if (GlobalVersionPlan.NextFetch(_newest, _latest?.Version) is not { } next)
            {
                return;
            }

            manifest = _attempting = next;
        }

        var bytes = new byte[manifest.Length];
        var source = chunkSource?.Invoke() ?? new MqttChunkSource(connection, topics, 8, TimeSpan.FromSeconds(10), timeProvider, NullLogger<MqttChunkSource>.Instance);
        await source.FetchAsync(manifest, [.. Enumerable.Range(0, manifest.Chunks.Count)], (index, chunk) =>
        {
            if (chunk.Length != manifest.ChunkLength(index) || Convert.ToHexStringLower(SHA256.HashData(chunk.Span)) != manifest.Chunks[index])
            {
                throw new TransferException($"chunk {index} of {manifest} does not match its signed hash");
            }

            chunk.Span.CopyTo(bytes.AsSpan((int)manifest.ChunkOffset(index)));
        }, cancellationToken);
        if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != manifest.Sha256)
        {
            throw new TransferException($"{manifest} does not match its signed sha256");
        }

        var parameters = template.ReadParameters(bytes);
        lock (_gate)
        {
            if (_latest is null || _latest.Version < manifest.Version)
            {
                _latest = new DeliveredVersion(manifest.Version, bytes, parameters);
            }
        }
    }

    private void OnFetchFailed(Exception exception, int attempt, TimeSpan delay)
    {
        if (exception is TransferException or InvalidDataException)
        {
            Interlocked.Increment(ref _refused);
        }

        Interlocked.Increment(ref _failures);
        var version = Volatile.Read(ref _attempting)?.Version ?? 0;
        Volatile.Write(ref _lastFailure, $"v{version}: {exception.GetType().Name}: {exception.Message}");
        LogFetchFailed(_logger, model, version, attempt, exception.GetType().Name, exception.Message, delay.TotalSeconds);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fetch of {Model} v{Version} failed (attempt {Attempt}): {Kind}: {Reason}; trying again in {Seconds:0.00} s")]
    private static partial void LogFetchFailed(ILogger logger, string model, long version, int attempt, string kind, string reason, double seconds);
}

/// <summary>A global version as delivered: its number, file and trainable parameters.</summary>
internal sealed record DeliveredVersion(long Version, byte[] Bytes, float[] Parameters);
