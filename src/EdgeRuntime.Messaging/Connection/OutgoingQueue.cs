using System.Threading.Channels;

namespace EdgeRuntime.Messaging.Connection;

/// <summary>
/// The supervisor's own session state for outgoing messages: every message stays here, in order, until
/// the broker acknowledges it, so that a lost connection or a lost broker session resends it. Each
/// connection gets a fresh send channel pre-filled with everything still pending. Thread-safe.
/// </summary>
internal sealed class OutgoingQueue(int capacity)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<PendingPublish> _pending = new();
    private Channel<PendingPublish>? _sendChannel;
    private TaskCompletionSource? _emptied;
    private int _inFlight;
    private int _maxInFlight;
    private long _acknowledged;
    private long _resent;
    private long _superseded;
    private long _rejected;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    public int InFlight => Volatile.Read(ref _inFlight);

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    public long Resent => Interlocked.Read(ref _resent);

    public long Superseded => Interlocked.Read(ref _superseded);

    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Queues a message; the task completes when the broker has it (or it was superseded).</summary>
    public Task<PublishOutcome> Enqueue(OutgoingMessage message)
    {
        List<PendingPublish>? replaced = null;
        PendingPublish pending;
        lock (_gate)
        {
            if (message.ReplacesQueued)
            {
                for (var node = _pending.First; node is not null;)
                {
                    var next = node.Next;
                    var candidate = node.Value;
                    if (!candidate.InFlight && candidate.Message.ReplacesQueued && candidate.Message.Topic == message.Topic)
                    {
                        _pending.Remove(node);
                        (replaced ??= []).Add(candidate);
                    }

                    node = next;
                }
            }

            if (_pending.Count >= capacity)
            {
                Interlocked.Increment(ref _rejected);
                throw new OutgoingQueueFullException(capacity, message.Topic);
            }

            pending = new PendingPublish(message);
            pending.Node = _pending.AddLast(pending);
            _sendChannel?.Writer.TryWrite(pending);
        }

        foreach (var old in replaced ?? [])
        {
            Interlocked.Increment(ref _superseded);
            old.Completion.TrySetResult(PublishOutcome.Superseded);
        }

        return pending.Completion.Task;
    }

    /// <summary>Starts a connection: returns a channel holding every pending message, in order, then new ones.</summary>
    public ChannelReader<PendingPublish> Attach()
    {
        lock (_gate)
        {
            _sendChannel?.Writer.TryComplete();
            _sendChannel = Channel.CreateUnbounded<PendingPublish>(new UnboundedChannelOptions { SingleReader = true });
            foreach (var pending in _pending)
            {
                pending.InFlight = false;
                _sendChannel.Writer.TryWrite(pending);
            }

            return _sendChannel.Reader;
        }
    }

    /// <summary>Ends a connection: pending messages wait for the next <see cref="Attach"/>.</summary>
    public void Detach()
    {
        lock (_gate)
        {
            _sendChannel?.Writer.TryComplete();
            _sendChannel = null;
        }
    }

    /// <summary>Marks a message as being sent; false when it was completed meanwhile (skip it).</summary>
    public bool TryBeginSend(PendingPublish pending)
    {
        lock (_gate)
        {
            if (pending.Node is null || pending.Completion.Task.IsCompleted)
            {
                return false;
            }

            pending.InFlight = true;
            if (pending.SendCount++ > 0)
            {
                _resent++;
            }

            _inFlight++;
            if (_inFlight > _maxInFlight)
            {
                _maxInFlight = _inFlight;
            }

            return true;
        }
    }

    /// <summary>A send attempt ended (acknowledged, rejected or cut off).</summary>
    public void EndSend(PendingPublish pending)
    {
        lock (_gate)
        {
            _inFlight--;
            pending.InFlight = false;
        }
    }

    /// <summary>The broker has the message: forget it.</summary>
    public void Complete(PendingPublish pending, PublishOutcome outcome)
    {
        Remove(pending);
        Interlocked.Increment(ref _acknowledged);
        pending.Completion.TrySetResult(outcome);
    }

    /// <summary>The broker refused the message for good: forget it and fail its publish.</summary>
    public void Reject(PendingPublish pending, Exception reason)
    {
        Remove(pending);
        Interlocked.Increment(ref _rejected);
        pending.Completion.TrySetException(reason);
    }

    /// <summary>Completes when nothing is pending (at once if nothing is).</summary>
    public Task WaitUntilEmptyAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_pending.Count == 0)
            {
                return Task.CompletedTask;
            }

            _emptied ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _emptied.Task.WaitAsync(cancellationToken);
        }
    }

    private void Remove(PendingPublish pending)
    {
        TaskCompletionSource? emptied = null;
        lock (_gate)
        {
            if (pending.Node is { } node)
            {
                _pending.Remove(node);
                pending.Node = null;
            }

            if (_pending.Count == 0 && _emptied is not null)
            {
                emptied = _emptied;
                _emptied = null;
            }
        }

        emptied?.TrySetResult();
    }
}

/// <summary>A queued message and the task its publisher awaits.</summary>
internal sealed class PendingPublish(OutgoingMessage message)
{
    public OutgoingMessage Message { get; } = message;

    public TaskCompletionSource<PublishOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LinkedListNode<PendingPublish>? Node { get; set; }

    public bool InFlight { get; set; }

    public int SendCount { get; set; }
}
