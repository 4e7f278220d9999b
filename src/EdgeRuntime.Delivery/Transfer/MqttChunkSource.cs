using System.Collections.Concurrent;
using EdgeRuntime.Delivery.Manifests;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Topics;
using Microsoft.Extensions.Logging;

namespace EdgeRuntime.Delivery.Transfer;

/// <summary>
/// Fetches chunks from the broker, where the fleet publishes each one as a retained message on its own topic
/// (<c>{root}/models/{name}/{version}/chunks/{index}</c>). Subscribing to a chunk's topic makes the broker send
/// it; so a device asks for exactly the chunks it lacks, at its own pace, and no fleet process has to stay up to
/// serve them. At most <c>parallelism</c> chunk subscriptions are open at once (bounded memory and broker load).
/// A chunk that does not arrive within the timeout (lost with a broker restart, or not published) is asked for
/// again once the connection is up. Thread-safe.
/// </summary>
public sealed partial class MqttChunkSource(
    MqttConnectionSupervisor connection,
    MqttTopics topics,
    int parallelism,
    TimeSpan chunkTimeout,
    TimeProvider timeProvider,
    ILogger<MqttChunkSource> logger) : IChunkSource
{
    private long _received;
    private long _retries;

    /// <summary>Chunks that arrived from the broker (duplicates included).</summary>
    public long ChunksReceived => Interlocked.Read(ref _received);

    /// <summary>Chunk requests repeated after a timeout.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <inheritdoc />
    public async Task FetchAsync(ModelManifest manifest, IReadOnlyList<int> missing, Action<int, ReadOnlyMemory<byte>> accept, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(missing);
        ArgumentNullException.ThrowIfNull(accept);
        var queue = new ConcurrentQueue<int>(missing);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var workers = Enumerable.Range(0, Math.Clamp(parallelism, 1, Math.Max(1, missing.Count)))
            .Select(_ => WorkAsync(manifest, queue, accept, failed))
            .ToList();
        try
        {
            await Task.WhenAll(workers);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // One worker failed and cancelled the others; surface its error, not theirs.
            var error = workers.Select(w => w.Exception?.InnerException).FirstOrDefault(e => e is not null and not OperationCanceledException);
            if (error is not null)
            {
                throw error;
            }

            throw;
        }
    }

    private async Task WorkAsync(ModelManifest manifest, ConcurrentQueue<int> queue, Action<int, ReadOnlyMemory<byte>> accept, CancellationTokenSource failed)
    {
        try
        {
            while (queue.TryDequeue(out var index))
            {
                await FetchOneAsync(manifest, index, accept, failed.Token);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await failed.CancelAsync();
            throw;
        }
    }

    private async Task FetchOneAsync(ModelManifest manifest, int index, Action<int, ReadOnlyMemory<byte>> accept, CancellationToken cancellationToken)
    {
        var topic = topics.ModelChunk(manifest.Name, manifest.Version, index);
        while (true)
        {
            var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using (await connection.SubscribeAsync(topic, (message, _) => Receive(message, index, accept, arrived), cancellationToken: cancellationToken))
            {
                try
                {
                    await arrived.Task.WaitAsync(chunkTimeout, timeProvider, cancellationToken);
                    return;
                }
                catch (TimeoutException)
                {
                    Interlocked.Increment(ref _retries);
                    LogChunkTimeout(logger, index, manifest.ToString(), chunkTimeout.TotalSeconds, connection.IsConnected);
                }
            }

            // Asking again while the broker is away would only time out again.
            await connection.WaitUntilConnectedAsync(cancellationToken);
        }
    }

    private Task Receive(ReceivedMessage message, int index, Action<int, ReadOnlyMemory<byte>> accept, TaskCompletionSource arrived)
    {
        if (message.Payload.IsEmpty)
        {
            // An empty retained message clears the topic: the chunk is not (or no longer) on the broker.
            return Task.CompletedTask;
        }

        Interlocked.Increment(ref _received);
        try
        {
            accept(index, message.Payload);
            arrived.TrySetResult();
        }
        catch (Exception ex) when (ex is TransferException or IOException)
        {
            // A bad chunk, or a disk that cannot take it: either way this version cannot be completed now.
            arrived.TrySetException(ex);
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chunk {Index} of {Model} did not arrive within {Seconds} s (connected: {Connected}); asking again")]
    private static partial void LogChunkTimeout(ILogger logger, int index, string model, double seconds, bool connected);
}
