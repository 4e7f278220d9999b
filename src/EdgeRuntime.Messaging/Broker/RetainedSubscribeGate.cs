namespace EdgeRuntime.Messaging.Broker;

/// <summary>
/// Keeps the embedded broker's retained publishes and subscribes from overlapping, so a retained message published
/// while a client subscribes to its topic reaches that client.
/// </summary>
/// <remarks>
/// MQTTnet's server reads the retained store first and makes the new subscription visible to publishers last
/// (<c>MqttClientSubscriptionsManager.Subscribe</c>); a publish dispatched in between is neither in the copy it read
/// nor sent to the subscription it had not yet made, so the subscriber never gets it. MQTT requires the new
/// subscriber to get the retained message [MQTT-3.3.1-6]; Mosquitto, single-threaded, always does. Here operations
/// of one kind run side by side, and a kind waits while the other runs. Waiters queue in arrival order and each
/// batch admitted at once is the run of waiters of one kind at the head of the queue, so a stream of retained chunks
/// cannot starve a subscribe, nor the reverse.
/// </remarks>
/// <param name="timeProvider">The clock for waits' timeouts.</param>
internal sealed class RetainedSubscribeGate(TimeProvider timeProvider)
{
    private readonly object _lock = new();
    private readonly LinkedList<(Operation Kind, TaskCompletionSource Entered)> _waiting = new();
    private Operation _running;
    private int _count;

    /// <summary>The two kinds that must not overlap.</summary>
    public enum Operation
    {
        /// <summary>A PUBLISH with the retain flag, from receipt to its dispatch to every subscriber.</summary>
        RetainedPublish,

        /// <summary>A SUBSCRIBE, from receipt to its retained matches queued for the subscriber.</summary>
        Subscribe,
    }

    /// <summary>How many operations run now (for tests).</summary>
    public int Running
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>
    /// Waits until <paramref name="kind"/> may run; every successful enter must be matched by one <see cref="Exit"/>.
    /// </summary>
    /// <returns>True once entered; false if <paramref name="timeout"/> passed first (the caller then goes on unordered).</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public async Task<bool> EnterAsync(Operation kind, TimeSpan timeout, CancellationToken cancellationToken)
    {
        LinkedListNode<(Operation, TaskCompletionSource)> node;
        lock (_lock)
        {
            if (_waiting.Count == 0 && (_count == 0 || _running == kind))
            {
                _running = kind;
                _count++;
                return true;
            }

            node = _waiting.AddLast((kind, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)));
        }

        var entered = node.Value.Item2.Task;
        try
        {
            await entered.WaitAsync(timeout, timeProvider, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            lock (_lock)
            {
                if (node.List is not null)
                {
                    // Still queued: leave the queue; the head may now be admissible.
                    _waiting.Remove(node);
                    AdmitLocked();
                }
                else
                {
                    // Admitted just as the wait ended: give the slot back.
                    ExitLocked();
                }
            }

            if (ex is OperationCanceledException)
            {
                throw;
            }

            return false;
        }
    }

    /// <summary>Ends one operation entered with <see cref="EnterAsync"/>.</summary>
    public void Exit()
    {
        lock (_lock)
        {
            ExitLocked();
        }
    }

    private void ExitLocked()
    {
        if (_count == 0)
        {
            throw new InvalidOperationException("Exit without a matching EnterAsync");
        }

        _count--;
        AdmitLocked();
    }

    private void AdmitLocked()
    {
        while (_waiting.First is { } head && (_count == 0 || _running == head.Value.Kind))
        {
            _waiting.RemoveFirst();
            _running = head.Value.Kind;
            _count++;
            head.Value.Entered.SetResult();
        }
    }
}
