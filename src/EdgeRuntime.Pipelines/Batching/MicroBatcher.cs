using System.Threading.Channels;
using EdgeRuntime.Inference.Runtime;
using EdgeRuntime.Inference.Serving;
using EdgeRuntime.Pipelines.Configuration;

namespace EdgeRuntime.Pipelines.Batching;

/// <summary>
/// The queue in front of one served model, shared by every pipeline and stream that uses it. A single worker takes
/// the oldest request, waits up to <see cref="BatchingOptions.MaxDelayMs"/> for more with the same input shape (up to
/// <see cref="BatchingOptions.MaxBatch"/>, or the model's fixed batch size), runs them as one inference on the
/// serving version and hands each its slice of the outputs. The queue is bounded: when full, the overload policy
/// drops the oldest request or refuses the new one, and the owning pipeline counts it. Thread-safe.
/// </summary>
public sealed class MicroBatcher : IAsyncDisposable
{
    private readonly ModelServer _server;
    private readonly BatchingOptions _options;
    private readonly TimeProvider _time;
    private readonly Channel<InferenceRequest> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _worker;
    private InferenceRequest? _carried;

    /// <summary>Starts the worker for <paramref name="model"/>.</summary>
    public MicroBatcher(ModelServer server, string model, BatchingOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _server = server;
        Model = model;
        _options = options;
        _time = timeProvider;
        var channelOptions = new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = options.Overload == OverloadPolicy.DropOldest ? BoundedChannelFullMode.DropOldest : BoundedChannelFullMode.Wait,
        };
        _queue = Channel.CreateBounded<InferenceRequest>(channelOptions, dropped => dropped.Counters.OnDropped());
        _worker = Task.Factory.StartNew(() => RunAsync(_stopping.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>The model it feeds.</summary>
    public string Model { get; }

    /// <summary>Inferences run so far.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    private long _batches;

    /// <summary>Queues a request; false when the queue refused it (policy Reject), already counted.</summary>
    public bool Offer(InferenceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Counters.OnQueued();
        if (_queue.Writer.TryWrite(request))
        {
            return true;
        }

        request.Counters.OnDequeued();
        request.Counters.OnRejected();
        return false;
    }

    /// <summary>Stops the worker; requests still queued are not run.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        try
        {
            await _worker;
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var reader = _queue.Reader;
        var batch = new List<InferenceRequest>(_options.MaxBatch);
        while (true)
        {
            var first = _carried ?? await TakeAsync(reader, cancellationToken);
            _carried = null;
            if (first is null)
            {
                return;
            }

            batch.Clear();
            batch.Add(first);

            // One hold on the serving version for the whole batch: its batch size limit and its session.
            ModelLease lease;
            try
            {
                lease = _server.Acquire(Model);
            }
            catch (ModelNotServingException ex)
            {
                first.OnFailure(ex);
                continue;
            }

            using var held = lease;
            var limit = BatchLimit(lease.Model, first);
            var deadline = _time.GetTimestamp() + (long)(_options.MaxDelayMs / 1000.0 * _time.TimestampFrequency);
            while (batch.Count < limit)
            {
                if (reader.TryRead(out var next))
                {
                    next.Counters.OnDequeued();
                    if (!next.SameShape(first))
                    {
                        _carried = next;
                        break;
                    }

                    batch.Add(next);
                    continue;
                }

                var remaining = _time.GetElapsedTime(_time.GetTimestamp(), deadline);
                if (remaining <= TimeSpan.Zero)
                {
                    break;
                }

                // Timers count whole milliseconds and a shorter delay fires at once: round up, or no request would wait.
                var wait = TimeSpan.FromMilliseconds(Math.Ceiling(remaining.TotalMilliseconds));
                var arrived = reader.WaitToReadAsync(cancellationToken).AsTask();
                if (await Task.WhenAny(arrived, Task.Delay(wait, _time, cancellationToken)) != arrived || !await arrived)
                {
                    break;
                }
            }

            Run(batch, lease.Model);
        }
    }

    private async Task<InferenceRequest?> TakeAsync(ChannelReader<InferenceRequest> reader, CancellationToken cancellationToken)
    {
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            if (reader.TryRead(out var request))
            {
                request.Counters.OnDequeued();
                return request;
            }
        }

        return null;
    }

    private int BatchLimit(ServedModel model, InferenceRequest first)
    {
        var dims = model.Session.InputMetadata.TryGetValue(first.Input, out var meta) ? meta.Dimensions : [];
        return dims.Length > 0 && dims[0] > 0 ? Math.Min(dims[0], _options.MaxBatch) : _options.MaxBatch;
    }

    private void Run(List<InferenceRequest> batch, ServedModel model)
    {
        var first = batch[0];
        var itemLength = first.Data.Length;
        List<FloatOutput> outputs;
        long version;
        try
        {
            var data = first.Data;
            if (batch.Count > 1)
            {
                data = new float[itemLength * batch.Count];
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Data.CopyTo(data, i * itemLength);
                }
            }

            long[] shape = [batch.Count, .. first.Shape];
            version = model.Version;
            outputs = model.Session.RunFloat(first.Input, data, shape);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            foreach (var request in batch)
            {
                request.OnFailure(ex);
            }

            return;
        }

        Interlocked.Increment(ref _batches);
        for (var i = 0; i < batch.Count; i++)
        {
            var slices = new Dictionary<string, OutputSlice>(outputs.Count, StringComparer.Ordinal);
            foreach (var output in outputs)
            {
                var batched = output.Shape.Length > 0 && output.Shape[0] == batch.Count;
                if (batch.Count == 1)
                {
                    slices[output.Name] = new OutputSlice(output.Values, batched ? output.Shape[1..] : output.Shape);
                    continue;
                }

                var per = batched ? output.Values.Length / batch.Count : output.Values.Length;
                var values = output.Values.AsSpan(batched ? i * per : 0, per).ToArray();
                slices[output.Name] = new OutputSlice(values, batched ? output.Shape[1..] : output.Shape);
            }

            batch[i].Counters.OnBatch(batch.Count);
            try
            {
                batch[i].OnReply(new InferenceReply(version, slices, batch.Count));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Post-processing belongs to the pipeline; one bad result must not stop the model's queue.
                batch[i].OnFailure(ex);
            }
        }
    }
}
