using EdgeRuntime.Delivery.Manifests;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Topics;

namespace EdgeRuntime.Delivery.Publishing;

/// <summary>
/// The fleet side of delivery: puts a model version on the broker. Chunks first, each a retained message on its
/// own topic; then the version's signed manifest; then (unless staged) the model's latest manifest, the one
/// devices follow. Devices therefore never see a manifest whose chunks are not yet on the broker. Publishing the
/// same version again is harmless: the same bytes replace the same retained messages.
/// </summary>
public sealed class ModelPublisher(MqttConnectionSupervisor connection, MqttTopics topics)
{
    /// <summary>Chunks published but not yet acknowledged at most, bounding memory for large models.</summary>
    private const int MaxChunksInFlight = 32;

    /// <summary>
    /// Publishes <paramref name="path"/> as <paramref name="manifest"/> (chunks only when the manifest has no URL).
    /// </summary>
    /// <param name="path">The model file the manifest was built from.</param>
    /// <param name="manifest">Its manifest.</param>
    /// <param name="key">The fleet key that signs the manifest.</param>
    /// <param name="announce">Whether to replace the model's latest manifest (false: staged, for deploy commands only).</param>
    /// <param name="progress">Receives the number of bytes the broker has acknowledged.</param>
    /// <param name="cancellationToken">Stops publishing (what was sent stays on the broker).</param>
    public async Task PublishAsync(string path, ModelManifest manifest, SigningKey key, bool announce, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(key);
        if (manifest.Url is null)
        {
            await PublishChunksAsync(path, manifest, progress, cancellationToken);
        }

        var envelope = SignedEnvelope.Sign(ModelManifestJson.ToBytes(manifest), key).ToBytes();
        await connection.PublishAsync(new OutgoingMessage(topics.ModelVersionManifest(manifest.Name, manifest.Version), envelope, retain: true) { ContentType = "application/json" });
        if (announce)
        {
            await connection.PublishAsync(new OutgoingMessage(topics.ModelManifest(manifest.Name), envelope, retain: true) { ContentType = "application/json" });
        }
    }

    private async Task PublishChunksAsync(string path, ModelManifest manifest, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (RandomAccess.GetLength(file) != manifest.Length)
        {
            throw new InvalidOperationException($"'{path}' changed since its manifest was built ({RandomAccess.GetLength(file)} bytes, manifest {manifest.Length})");
        }

        var inFlight = new Queue<(Task Ack, int Length)>();
        long acknowledged = 0;
        for (var index = 0; index < manifest.Chunks.Count; index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = new byte[manifest.ChunkLength(index)];
            RandomAccess.Read(file, chunk, manifest.ChunkOffset(index));
            var topic = topics.ModelChunk(manifest.Name, manifest.Version, index);
            inFlight.Enqueue((connection.PublishAsync(new OutgoingMessage(topic, chunk, retain: true)), chunk.Length));
            while (inFlight.Count >= MaxChunksInFlight || (index == manifest.Chunks.Count - 1 && inFlight.Count > 0))
            {
                var (ack, length) = inFlight.Dequeue();
                await ack.WaitAsync(cancellationToken);
                acknowledged += length;
                progress?.Report(acknowledged);
            }
        }
    }

    /// <summary>
    /// Removes a version from the broker: clears its chunks and its version manifest (empty retained messages).
    /// Devices that have it keep it; devices that do not can no longer fetch it.
    /// </summary>
    public async Task RetireAsync(ModelManifest manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var pending = new List<Task>();
        for (var index = 0; index < manifest.Chunks.Count; index++)
        {
            pending.Add(connection.PublishAsync(new OutgoingMessage(topics.ModelChunk(manifest.Name, manifest.Version, index), ReadOnlyMemory<byte>.Empty, retain: true)));
        }

        pending.Add(connection.PublishAsync(new OutgoingMessage(topics.ModelVersionManifest(manifest.Name, manifest.Version), ReadOnlyMemory<byte>.Empty, retain: true)));
        await Task.WhenAll(pending).WaitAsync(cancellationToken);
    }
}
