using System.Collections.Concurrent;
using System.Security.Cryptography;
using EdgeRuntime.Delivery.Manifests;
using EdgeRuntime.Delivery.Signing;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Topics;

namespace EdgeRuntime.Delivery.Publishing;

/// <summary>
/// The fleet side of delivery: puts a model version on the broker and proves it is there. Chunks first, each a retained
/// message on its own topic; then the version's signed manifest; then (unless staged) a signed latest statement naming
/// it and the model's latest manifest, the one devices follow while the statement is fresh. Then everything is read back from the broker (a fresh subscription receives what is retained)
/// and compared byte for byte by sha256; what is missing or wrong is published again, under the
/// <see cref="PublishReadbackPipeline"/>, until the read-back is complete — or the publish fails naming what is missing.
/// Publishing the same version again is harmless: the same bytes replace the same retained messages.
/// </summary>
public sealed class ModelPublisher(MqttConnectionSupervisor connection, MqttTopics topics, TimeProvider? timeProvider = null)
{
    /// <summary>Chunks published but not yet acknowledged at most, bounding memory for large models.</summary>
    private const int MaxChunksInFlight = 32;

    /// <summary>Wait for the first retained message of a read-back, and between two of them, before calling the rest missing.</summary>
    private static readonly TimeSpan FirstArrival = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _clock = timeProvider ?? TimeProvider.System;

    /// <summary>How long the latest statement signed with an announced version stands (<see cref="LatestStatement.DefaultLifetime"/> by default); re-sign it within that.</summary>
    public TimeSpan LatestLifetime { get; init; } = LatestStatement.DefaultLifetime;

    /// <summary>
    /// Publishes <paramref name="path"/> as <paramref name="manifest"/> (chunks only when the manifest has no URL) and
    /// returns once every message is proven retained on the broker.
    /// </summary>
    /// <param name="path">The model file the manifest was built from.</param>
    /// <param name="manifest">Its manifest.</param>
    /// <param name="key">The fleet key that signs the manifest.</param>
    /// <param name="announce">Whether to sign a latest statement for it and replace the model's latest manifest (false: staged, for deploy commands only).</param>
    /// <param name="progress">Receives the number of chunk bytes the broker has acknowledged.</param>
    /// <param name="cancellationToken">Stops publishing (what was sent stays on the broker); when it is a timeout, what is missing is reported.</param>
    /// <exception cref="IncompletePublishException">Not everything is retained after every retry, or the time ran out first; the message names what is missing.</exception>
    public async Task PublishAsync(string path, ModelManifest manifest, SigningKey key, bool announce, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(key);
        var document = ModelManifestJson.ToBytes(manifest);
        var envelope = SignedEnvelope.Sign(document, key).ToBytes();
        var documents = new List<(string Topic, byte[] Payload)> { (topics.ModelVersionManifest(manifest.Name, manifest.Version), envelope) };
        if (announce)
        {
            // The statement before the manifest it names, so a device that sees the manifest finds the statement there.
            var statement = LatestStatement.For(manifest, document, _clock.GetUtcNow(), LatestLifetime);
            documents.Add((topics.ModelLatest(manifest.Name), SignedEnvelope.Sign(statement.ToBytes(), key).ToBytes()));
            documents.Add((topics.ModelManifest(manifest.Name), envelope));
        }

        var expected = Expected(manifest, documents);
        var confirmed = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        using var file = manifest.Url is null ? File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read) : null;
        if (file is not null && RandomAccess.GetLength(file) != manifest.Length)
        {
            throw new InvalidOperationException($"'{path}' changed since its manifest was built ({RandomAccess.GetLength(file)} bytes, manifest {manifest.Length})");
        }

        try
        {
            await PublishAsync(manifest, documents, file, [.. expected.Keys], progress, cancellationToken);
            await PublishReadbackPipeline.Create(_clock).ExecuteAsync(
                async token =>
                {
                    var missing = await ReadBackAsync(manifest, announce, expected, confirmed, token);
                    if (missing.Count > 0)
                    {
                        await PublishAsync(manifest, documents, file, missing, progress: null, token);
                        throw Incomplete(manifest, expected, confirmed);
                    }
                },
                cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw Incomplete(manifest, expected, confirmed, "its time ran out");
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

    /// <summary>Every topic the version puts on the broker, with the sha256 of what must be retained there.</summary>
    private Dictionary<string, string> Expected(ModelManifest manifest, List<(string Topic, byte[] Payload)> documents)
    {
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        if (manifest.Url is null)
        {
            for (var index = 0; index < manifest.Chunks.Count; index++)
            {
                expected[topics.ModelChunk(manifest.Name, manifest.Version, index)] = manifest.Chunks[index];
            }
        }

        foreach (var (topic, payload) in documents)
        {
            expected[topic] = Convert.ToHexStringLower(SHA256.HashData(payload));
        }

        return expected;
    }

    /// <summary>Publishes the <paramref name="which"/> topics, chunks before manifests, waiting for the broker's acknowledgements.</summary>
    private async Task PublishAsync(ModelManifest manifest, List<(string Topic, byte[] Payload)> documents, Microsoft.Win32.SafeHandles.SafeFileHandle? file, IReadOnlyCollection<string> which, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var inFlight = new Queue<(Task Ack, int Length)>();
        long acknowledged = 0;
        for (var index = 0; file is not null && index < manifest.Chunks.Count; index++)
        {
            var topic = topics.ModelChunk(manifest.Name, manifest.Version, index);
            if (!which.Contains(topic))
            {
                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var chunk = new byte[manifest.ChunkLength(index)];
            RandomAccess.Read(file, chunk, manifest.ChunkOffset(index));
            inFlight.Enqueue((connection.PublishAsync(new OutgoingMessage(topic, chunk, retain: true)), chunk.Length));
            while (inFlight.Count >= MaxChunksInFlight)
            {
                acknowledged += await AcknowledgedAsync(inFlight.Dequeue(), cancellationToken);
                progress?.Report(acknowledged);
            }
        }

        while (inFlight.Count > 0)
        {
            acknowledged += await AcknowledgedAsync(inFlight.Dequeue(), cancellationToken);
            progress?.Report(acknowledged);
        }

        // Signed documents last, in order: a device never sees a manifest before the chunks were sent.
        foreach (var (topic, payload) in documents.Where(d => which.Contains(d.Topic)))
        {
            await connection.PublishAsync(new OutgoingMessage(topic, payload, retain: true) { ContentType = "application/json" }).WaitAsync(cancellationToken);
        }
    }

    private static async Task<int> AcknowledgedAsync((Task Ack, int Length) sent, CancellationToken cancellationToken)
    {
        await sent.Ack.WaitAsync(cancellationToken);
        return sent.Length;
    }

    /// <summary>Subscribes afresh and compares what the broker has retained with what was sent; returns the topics missing or wrong.</summary>
    private async Task<List<string>> ReadBackAsync(ModelManifest manifest, bool announce, Dictionary<string, string> expected, ConcurrentDictionary<string, byte> confirmed, CancellationToken cancellationToken)
    {
        confirmed.Clear();
        var seen = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task Handle(ReceivedMessage message, CancellationToken _)
        {
            Interlocked.Increment(ref seen);
            if (message.Retained && expected.TryGetValue(message.Topic, out var digest) && Convert.ToHexStringLower(SHA256.HashData(message.Payload.Span)) == digest)
            {
                confirmed.TryAdd(message.Topic, 0);
                if (confirmed.Count == expected.Count)
                {
                    all.TrySetResult();
                }
            }

            return Task.CompletedTask;
        }

        var subscriptions = new List<IAsyncDisposable>
        {
            await connection.SubscribeAsync(topics.AllOfModelVersion(manifest.Name, manifest.Version), Handle, cancellationToken: cancellationToken),
        };
        try
        {
            if (announce)
            {
                subscriptions.Add(await connection.SubscribeAsync(topics.ModelLatest(manifest.Name), Handle, cancellationToken: cancellationToken));
                subscriptions.Add(await connection.SubscribeAsync(topics.ModelManifest(manifest.Name), Handle, cancellationToken: cancellationToken));
            }

            var wait = FirstArrival;
            while (!all.Task.IsCompleted)
            {
                var before = Volatile.Read(ref seen);
                await Task.WhenAny(all.Task, Task.Delay(wait, _clock, cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
                if (Volatile.Read(ref seen) == before)
                {
                    break;
                }

                wait = Quiet;
            }
        }
        finally
        {
            foreach (var subscription in subscriptions)
            {
                await subscription.DisposeAsync();
            }
        }

        return [.. expected.Keys.Where(t => !confirmed.ContainsKey(t))];
    }

    private IncompletePublishException Incomplete(ModelManifest manifest, Dictionary<string, string> expected, ConcurrentDictionary<string, byte> confirmed, string? why = null)
    {
        var missing = new List<int>();
        for (var index = 0; manifest.Url is null && index < manifest.Chunks.Count; index++)
        {
            if (!confirmed.ContainsKey(topics.ModelChunk(manifest.Name, manifest.Version, index)))
            {
                missing.Add(index);
            }
        }

        var manifestMissing = expected.Keys.Any(t => !t.Contains("/chunks/", StringComparison.Ordinal) && !confirmed.ContainsKey(t));
        var chunks = manifest.Url is null ? manifest.Chunks.Count : 0;
        var what = missing.Count > 0 ? $"missing chunks {IncompletePublishException.Ranges(missing)}" : "no chunk missing";
        var manifests = manifestMissing ? "; the manifest is missing too" : string.Empty;
        return new IncompletePublishException(
            $"{manifest} is incomplete on the broker: {chunks - missing.Count} of {chunks} chunks retained and verified; {what}{manifests}" + (why is null ? string.Empty : $" ({why})"),
            missing,
            manifestMissing);
    }
}
