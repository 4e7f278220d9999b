using System.Diagnostics;
using EdgeRuntime.Core.Compute;
using EdgeRuntime.Inference.Runtime;
using EdgeRuntime.Inference.Serving;
using EdgeRuntime.Pipelines.Configuration;
using EdgeRuntime.Pipelines.Stages;

namespace EdgeRuntime.Pipelines.Batching;

/// <summary>
/// The queue in front of one served model, shared by every pipeline and stream that uses it. A thread of its own takes
/// the oldest request, waits up to <see cref="BatchingOptions.MaxDelayMs"/> for more with the same input shape (up to
/// <see cref="BatchingOptions.MaxBatch"/>, or the model's fixed batch size), runs them as one inference on the
/// serving version and hands each its slice of the outputs: itself when nothing else waits, or, under load, through a
/// <see cref="CompletionWorker"/> that writes the results while the next batch runs. The queue is bounded: when full,
/// the overload policy drops the oldest request or refuses the new one, and the owning pipeline counts it. Thread-safe.
/// </summary>
public sealed class MicroBatcher : IAsyncDisposable
{
    // Under load, replies wait in a sleeping completion worker's queue until one wake costs the batcher no more than
    // this share of the time those batches took: a wake measured 10 to 40 µs on a virtual two-core board, so a
    // 200 µs model wakes the worker every 16 batches instead of every batch (a worker that still polls needs none).
    private const double WakeShareOfRun = 0.005;

    // ...and for no more batches than this, which bounds how late a result is written: 16 batch times, while a
    // loaded queue already makes its requests wait for many more.
    private const int MaxDeferredBatches = 16;

    private readonly ModelServer _server;
    private readonly BatchingOptions _options;
    private readonly TimeProvider _time;
    private readonly RequestQueue _queue;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CompletionWorker _completions;
    private readonly List<BoundEntry> _bound = [];
    private double _runTicks;
    private int _deferredBatches;
    private InferenceRequest? _carried;
    private volatile bool _stopping;
    private ServedModel? _boundFor;

    /// <summary>
    /// Starts the batcher's thread for <paramref name="model"/>. <paramref name="timeProvider"/> sets the batches'
    /// deadlines; the waits themselves are the system's.
    /// </summary>
    public MicroBatcher(ModelServer server, string model, BatchingOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _server = server;
        Model = model;
        _options = options;
        _time = timeProvider;
        _queue = new RequestQueue(options.QueueCapacity, dropOldest: options.Overload == OverloadPolicy.DropOldest);
        _completions = new CompletionWorker($"results {model}", () => RequestSlice(options.ThreadSliceMicroseconds));
        new Thread(BatcherThread) { IsBackground = true, Name = $"batcher {model}" }.Start();
    }

    /// <summary>The model it feeds.</summary>
    public string Model { get; }

    /// <summary>True while the completion worker sleeps (replies it is handed then wait for a wake).</summary>
    internal bool CompletionWorkerSleeping => _completions.Sleeping;

    /// <summary>Inferences run so far.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    private long _batches;

    /// <summary>Queues a request; false when the queue refused it (policy Reject), already counted.</summary>
    public bool Offer(InferenceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Counters.OnQueued();
        if (_queue.TryWrite(request, out var dropped))
        {
            dropped?.Counters.OnDropped();
            return true;
        }

        request.Counters.OnDequeued();
        request.Counters.OnRejected();
        return false;
    }

    /// <summary>Stops the batcher's thread; requests still queued are not run.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        _queue.Complete();
        await _stopped.Task;

        // What ran is answered; what was still queued is not run.
        _completions.Dispose();
        _queue.Dispose();
    }

    // Serving threads ask the scheduler for a short slice (BatchingOptions.ThreadSliceMicroseconds) so that a request
    // arriving while background work holds the core preempts it at once.
    private static void RequestSlice(int microseconds)
    {
        if (microseconds > 0)
        {
            ThreadCpuClock.RequestSlice(TimeSpan.FromMicroseconds(microseconds));
        }
    }

    // The batcher's own thread: it blocks while it waits (for a request, or for more to fill a batch) instead of
    // awaiting, because a blocking wait keeps its time to within about a tenth of a millisecond, while the runtime's
    // timers tick with the kernel's coarse clock on Linux (a 1 ms Task.Delay measured 3.3 ms at the median), and a
    // thread of its own does not depend on the thread pool's health to serve the model.
    private void BatcherThread()
    {
        RequestSlice(_options.ThreadSliceMicroseconds);
        try
        {
            Serve();
            _stopped.TrySetResult();
        }
        catch (Exception ex)
        {
            _stopped.TrySetException(ex);
        }
    }

    private void Serve()
    {
        var batch = new List<InferenceRequest>(_options.MaxBatch);
        while (true)
        {
            var first = _carried ?? Take();
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
                Fail(first, ex);
                continue;
            }

            using var held = lease;
            var limit = BatchLimit(lease.Model, first);
            var deadline = _time.GetTimestamp() + (long)(_options.MaxDelayMs / 1000.0 * _time.TimestampFrequency);
            while (batch.Count < limit)
            {
                if (_queue.TryRead(out var next))
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

                // Waits count whole milliseconds and a shorter one returns at once: round up, or no request would wait.
                FlushReplies();
                if (_queue.Wait((int)Math.Ceiling(remaining.TotalMilliseconds)) != QueueWait.Ready)
                {
                    break;
                }
            }

            if (_stopping)
            {
                return;
            }

            Run(batch, lease.Model);
        }
    }

    // The next request, waiting for one as long as it takes; null once the batcher stops.
    private InferenceRequest? Take()
    {
        while (!_stopping)
        {
            if (_queue.TryRead(out var request))
            {
                request.Counters.OnDequeued();
                return request;
            }

            FlushReplies();
            if (_queue.Wait(Timeout.Infinite) == QueueWait.Completed)
            {
                return null;
            }
        }

        return null;
    }

    private bool UnderLoad => _queue.Count > 0 || _carried is not null;

    // After a batch's replies were posted: whether the worker must be woken now. Only once enough batches' replies
    // wait that one wake costs at most WakeShareOfRun of their running time: a worker that still polls (batches
    // shorter than its poll window) takes them anyway, and one that sleeps then writes several batches' results per
    // wake instead of costing the batcher a system call per batch. The batcher wakes it anyway before it waits for
    // requests (FlushReplies), so no reply waits for the next request.
    private bool WakeNow()
    {
        var batchesPerWake = _runTicks > 0 ? Math.Ceiling(_completions.WakeTicks / (_runTicks * WakeShareOfRun)) : 1;
        return ++_deferredBatches >= Math.Min(batchesPerWake, MaxDeferredBatches);
    }

    // The batcher is about to wait (for a request, or for more to fill a batch): replies still queued are written now.
    private void FlushReplies()
    {
        if (!_completions.Idle)
        {
            WakeWorker();
        }
    }

    private void WakeWorker()
    {
        _deferredBatches = 0;
        _completions.Wake();
    }

    private void Fail(InferenceRequest request, Exception error)
    {
        if (_completions.Idle)
        {
            _completions.Deliver(request, default, error);
        }
        else
        {
            _completions.Post(request, default, error);
            FlushReplies();
        }
    }

    private int BatchLimit(ServedModel model, InferenceRequest first)
    {
        var dims = model.Session.InputMetadata.TryGetValue(first.Prepared.Input, out var meta) ? meta.Dimensions : [];
        return dims.Length > 0 && dims[0] > 0 ? Math.Min(dims[0], _options.MaxBatch) : _options.MaxBatch;
    }

    private void Run(List<InferenceRequest> batch, ServedModel model)
    {
        BatchOutputs? outputs = null;
        Exception? error = null;
        var started = Stopwatch.GetTimestamp();
        try
        {
            outputs = RunBatch(batch, model);
            Interlocked.Increment(ref _batches);
            _runTicks = CompletionWorker.Smoothed(_runTicks, Stopwatch.GetTimestamp() - started);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            error = ex;
        }

        // Written here when nothing else waits (no hand-over latency for a lone request) and the worker has nothing
        // queued (none overtakes another); otherwise by the worker, while the next batch runs.
        var inline = _completions.Idle && !UnderLoad;
        for (var i = 0; i < batch.Count; i++)
        {
            var request = batch[i];
            var reply = outputs is null ? default : new InferenceReply(model.Version, outputs, i);
            if (outputs is not null)
            {
                request.Counters.OnBatch(batch.Count);
            }

            if (inline)
            {
                _completions.Deliver(request, reply, error);
            }
            else
            {
                _completions.Post(request, reply, error);
            }
        }

        if (!inline && WakeNow())
        {
            WakeWorker();
        }
    }

    private static List<FloatOutput> RunUnbound(List<InferenceRequest> batch, ServedModel model)
    {
        var first = batch[0].Prepared;
        var data = first.Data;
        if (batch.Count > 1)
        {
            data = new float[first.Data.Length * batch.Count];
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Prepared.Data.CopyTo(data, i * first.Data.Length);
            }
        }

        return model.Session.RunFloat(first.Input, data, [batch.Count, .. first.Shape]);
    }

    // The same model, input and shape come back batch after batch, so after a first unbound run has shown the
    // output shapes, their buffers are bound to the session (see BoundRun). Outputs are copied out of the bound
    // buffers: replies outlive the next run.
    private BatchOutputs RunBatch(List<InferenceRequest> batch, ServedModel model)
    {
        if (!ReferenceEquals(_boundFor, model))
        {
            _boundFor = model;
            _bound.Clear();
        }

        var first = batch[0].Prepared;
        var entry = FindBound(first, batch.Count);
        if (entry < 0)
        {
            var outputs = RunUnbound(batch, model);
            var bound = Bind(model, first, batch.Count, outputs);
            _bound.Add(new BoundEntry(first.Input, first.Shape, batch.Count, bound, bound is null ? null : new OutputLayout(bound.Outputs, batch.Count)));
            return new BatchOutputs(outputs, batch.Count);
        }

        if (_bound[entry] is not { Run: { } run, Layout: { } layout })
        {
            return new BatchOutputs(RunUnbound(batch, model), batch.Count);
        }

        var input = run.Input;
        var itemLength = first.Data.Length;
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Prepared.Data.CopyTo(input.Slice(i * itemLength, itemLength));
        }

        try
        {
            run.Run();
        }
        catch (Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            // An output's shape depends on the values after all, or the run failed for a reason the unbound run
            // will report: this shape runs unbound from now on.
            _bound[entry] = _bound[entry] with { Run = null };
            return new BatchOutputs(RunUnbound(batch, model), batch.Count);
        }

        var copies = new float[run.Outputs.Count][];
        for (var i = 0; i < copies.Length; i++)
        {
            copies[i] = (float[])run.Outputs[i].Values.Clone();
        }

        return new BatchOutputs(layout, copies);
    }

    private static BoundRun? Bind(ServedModel model, PreparedInput first, int batch, List<FloatOutput> observed)
    {
        try
        {
            return model.Session.TryBind(first.Input, [batch, .. first.Shape], [.. observed.Select(o => o.Shape)]);
        }
        catch (Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            return null;
        }
    }

    private int FindBound(PreparedInput first, int batch)
    {
        for (var i = 0; i < _bound.Count; i++)
        {
            if (_bound[i].Batch == batch && _bound[i].Input == first.Input && _bound[i].ItemShape.AsSpan().SequenceEqual(first.Shape))
            {
                return i;
            }
        }

        return -1;
    }

    private sealed record BoundEntry(string Input, long[] ItemShape, int Batch, BoundRun? Run, OutputLayout? Layout);
}
