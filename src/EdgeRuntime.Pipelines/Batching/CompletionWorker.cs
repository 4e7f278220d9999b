using System.Collections.Concurrent;
using System.Diagnostics;

namespace EdgeRuntime.Pipelines.Batching;

/// <summary>
/// Hands replies to their clients on a thread of its own, so that under load the batcher runs the next inference
/// while the last one's results are written (on a two-core board that is the difference between the model's pace and
/// the model's pace plus the post-processing). One producer (the batcher), one consumer; replies are delivered in the
/// order posted. The consumer waits at a <see cref="Doorbell"/>, and a post does not ring it by itself: waking a
/// thread costs the poster more than a small model's whole run (10 to 40 µs measured on a virtual two-core board), so
/// the poster decides when the replies it has queued are worth a wake (<see cref="Wake"/>).
/// </summary>
internal sealed class CompletionWorker : IDisposable
{
    private readonly ConcurrentQueue<Completion> _queue = new();
    private readonly Doorbell _doorbell = new();
    private readonly Func<bool> _hasWork;
    private readonly Thread _thread;
    private readonly Action? _onStart;
    private long _pending;
    private volatile bool _stopping;

    public CompletionWorker(string name, Action? onStart = null)
    {
        _onStart = onStart;
        _hasWork = () => !_queue.IsEmpty || _stopping;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>
    /// True when everything posted has been delivered. The batcher, the only poster, may then deliver the next reply
    /// itself without overtaking one: that saves the hand-over when requests come one at a time.
    /// </summary>
    public bool Idle => Interlocked.Read(ref _pending) == 0;

    /// <summary>
    /// Queues a reply (or, with <paramref name="error"/>, a failure) for its client. A polling worker picks it up at
    /// once; a sleeping one only after the next <see cref="Wake"/>.
    /// </summary>
    public void Post(InferenceRequest request, InferenceReply reply, Exception? error = null)
    {
        Interlocked.Increment(ref _pending);
        _queue.Enqueue(new Completion(request, reply, error));
    }

    /// <summary>Makes the worker deliver what is queued: nothing to do while it polls, a system call when it sleeps.</summary>
    public void Wake()
    {
        var started = Stopwatch.GetTimestamp();
        if (_doorbell.Ring())
        {
            _wakeTicks = Smoothed(_wakeTicks, Stopwatch.GetTimestamp() - started);
        }
    }

    /// <summary>
    /// What waking the sleeping worker has cost the poster, smoothed, in <see cref="Stopwatch"/> ticks; 10 µs until
    /// the first wake. Read and written by the poster only.
    /// </summary>
    public double WakeTicks => _wakeTicks;

    private double _wakeTicks = Stopwatch.Frequency / 100_000.0;

    /// <summary>True while the worker sleeps: replies posted now wait for <see cref="Wake"/>.</summary>
    public bool Sleeping => _doorbell.Listening;

    /// <summary>
    /// Delivers one reply or failure on the calling thread (the worker's, or the poster's while <see cref="Idle"/>);
    /// a client that throws on a reply is told it failed.
    /// </summary>
    public void Deliver(InferenceRequest request, InferenceReply reply, Exception? error)
    {
        if (error is not null)
        {
            request.Client.OnFailure(request, error);
            return;
        }

        try
        {
            request.Client.OnReply(request, reply);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Post-processing belongs to the pipeline; one bad result must not stop the model's queue.
            request.Client.OnFailure(request, ex);
        }
    }

    /// <summary>A running average that follows the last ten or so samples; 0 means none yet.</summary>
    public static double Smoothed(double average, long sample) => average == 0 ? sample : (average * 0.9) + (sample * 0.1);

    /// <summary>Delivers what is queued, then stops the thread.</summary>
    public void Dispose()
    {
        _stopping = true;
        _doorbell.Ring();
        _thread.Join();
        _doorbell.Dispose();
    }

    private void Run()
    {
        _onStart?.Invoke();
        while (true)
        {
            if (_queue.TryDequeue(out var completion))
            {
                Deliver(completion.Request, completion.Reply, completion.Error);
                Interlocked.Decrement(ref _pending);
                continue;
            }

            if (_stopping)
            {
                return;
            }

            _doorbell.Wait(_hasWork, Timeout.Infinite);
        }
    }

    private readonly record struct Completion(InferenceRequest Request, InferenceReply Reply, Exception? Error);
}
