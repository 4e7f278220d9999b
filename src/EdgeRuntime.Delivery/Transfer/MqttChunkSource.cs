using System.Collections.Concurrent;
using EdgeRuntime.Delivery.Manifests;
using EdgeRuntime.Messaging.Connection;
using EdgeRuntime.Messaging.Topics;
using Microsoft.Extensions.Logging;
using Polly;

namespace EdgeRuntime.Delivery.Transfer;

/// <summary>
/// Fetches chunks from the broker, where the fleet publishes each one as a retained message on its own topic
/// (<c>{root}/models/{name}/{version}/chunks/{index}</c>). Subscribing to a chunk's topic makes the broker send it; so a
/// device asks for exactly the chunks it lacks, at its own pace, and no fleet process has to stay up to serve them. At
/// most <c>parallelism</c> chunk subscriptions are open at once (bounded memory and broker load). Each request runs under
/// the <see cref="ChunkFetchPipeline"/>: a chunk that does not come within the timeout is reported as waiting and asked
/// for again once the connection is up; a message on the topic that is not the retained chunk (a stray publish) and has
/// wrong bytes is dropped while the request goes on; a retained chunk that stays wrong refuses the version. Thread-safe.
/// </summary>
public sealed class MqttChunkSource : IChunkSource
{
    private readonly MqttConnectionSupervisor _connection;
    private readonly MqttTopics _topics;
    private readonly int _parallelism;
    private readonly TimeProvider _timeProvider;
    private readonly ResiliencePipeline _pipeline;
    private long _received;
    private long _retries;
    private long _strays;

    /// <summary>Creates the source; <paramref name="chunkTimeout"/> bounds each attempt of each chunk.</summary>
    public MqttChunkSource(MqttConnectionSupervisor connection, MqttTopics topics, int parallelism, TimeSpan chunkTimeout, TimeProvider timeProvider, ILogger<MqttChunkSource> logger)
    {
        _connection = connection;
        _topics = topics;
        _parallelism = parallelism;
        _timeProvider = timeProvider;
        _pipeline = ChunkFetchPipeline.Create(chunkTimeout, timeProvider, logger);
    }

    /// <summary>Chunk messages that arrived from the broker (duplicates and strays included).</summary>
    public long ChunksReceived => Interlocked.Read(ref _received);

    /// <summary>Chunk requests repeated after a timeout or a wrong retained chunk.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Messages with wrong bytes that were not the retained chunk, dropped.</summary>
    public long StraysDropped => Interlocked.Read(ref _strays);

    /// <inheritdoc />
    public async Task FetchAsync(ModelManifest manifest, IReadOnlyList<int> missing, ChunkHandlers handlers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(missing);
        ArgumentNullException.ThrowIfNull(handlers);
        var queue = new ConcurrentQueue<int>(missing);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var workers = Enumerable.Range(0, Math.Clamp(_parallelism, 1, Math.Max(1, missing.Count)))
            .Select(_ => WorkAsync(manifest, queue, handlers, failed))
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

    private async Task WorkAsync(ModelManifest manifest, ConcurrentQueue<int> queue, ChunkHandlers handlers, CancellationTokenSource failed)
    {
        try
        {
            while (queue.TryDequeue(out var index))
            {
                await FetchOneAsync(manifest, index, handlers, failed.Token);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await failed.CancelAsync();
            throw;
        }
    }

    private async Task FetchOneAsync(ModelManifest manifest, int index, ChunkHandlers handlers, CancellationToken cancellationToken)
    {
        var since = _timeProvider.GetUtcNow();
        var waited = false;
        var request = new ChunkRequest(
            index,
            manifest.ToString(),
            () =>
            {
                waited = true;
                Interlocked.Increment(ref _retries);
                handlers.Waiting?.Invoke(index, since);
            },
            _connection.WaitUntilConnectedAsync);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(ChunkFetchPipeline.RequestKey, request);
        try
        {
            await _pipeline.ExecuteAsync(static async (ctx, state) => await state.Source.AttemptAsync(state.Manifest, state.Index, state.Handlers, ctx.CancellationToken), context, (Source: this, Manifest: manifest, Index: index, Handlers: handlers));
        }
        catch (BadRetainedChunkException ex)
        {
            throw ex.Transfer;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        if (waited)
        {
            handlers.Arrived?.Invoke(index);
        }
    }

    /// <summary>One attempt: subscribe, take the first message that is the chunk, unsubscribe.</summary>
    private async Task AttemptAsync(ModelManifest manifest, int index, ChunkHandlers handlers, CancellationToken cancellationToken)
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (await _connection.SubscribeAsync(_topics.ModelChunk(manifest.Name, manifest.Version, index), (message, _) => Receive(message, index, handlers, arrived), cancellationToken: cancellationToken))
        {
            await arrived.Task.WaitAsync(cancellationToken);
        }
    }

    private Task Receive(ReceivedMessage message, int index, ChunkHandlers handlers, TaskCompletionSource arrived)
    {
        if (message.Payload.IsEmpty || arrived.Task.IsCompleted)
        {
            // An empty retained message clears the topic: the chunk is not (or no longer) on the broker.
            return Task.CompletedTask;
        }

        Interlocked.Increment(ref _received);
        try
        {
            handlers.Accept(index, message.Payload);
            arrived.TrySetResult();
        }
        catch (TransferException) when (!message.Retained)
        {
            // Not the retained chunk: someone published on the topic. The retained copy may be intact; keep waiting.
            Interlocked.Increment(ref _strays);
        }
        catch (TransferException ex)
        {
            arrived.TrySetException(new BadRetainedChunkException(ex));
        }
        catch (IOException ex)
        {
            // A disk that cannot take the chunk: this version cannot be completed now.
            arrived.TrySetException(ex);
        }
        catch (ObjectDisposedException)
        {
            // The download was closed (preempted) while the message was on its way.
        }

        return Task.CompletedTask;
    }
}
