namespace EdgeRuntime.Messaging.Broker;

/// <summary>
/// The bytes of retained payload a broker holds, per topic, against a cap: a retained publish that would take the
/// total above it is refused, one that replaces or deletes a topic's message counts only the difference. Without it a
/// local client with the credential could fill the daemon's memory and its state directory with retained messages that
/// also come back after every restart. Pure bookkeeping; thread-safe.
/// </summary>
public sealed class RetainedBudget(long maxBytes)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _sizes = new(StringComparer.Ordinal);
    private long _total;

    /// <summary>The cap, in payload bytes.</summary>
    public long MaxBytes { get; } = maxBytes > 0 ? maxBytes : throw new ArgumentOutOfRangeException(nameof(maxBytes), maxBytes, "the retained budget must be positive");

    /// <summary>Retained payload bytes held now.</summary>
    public long Total
    {
        get
        {
            lock (_gate)
            {
                return _total;
            }
        }
    }

    /// <summary>
    /// Whether a retained message of <paramref name="bytes"/> payload bytes on <paramref name="topic"/> fits (0 bytes
    /// deletes the topic's message and always fits); when it does, it is counted.
    /// </summary>
    public bool TryAdmit(string topic, long bytes)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (_gate)
        {
            var previous = _sizes.GetValueOrDefault(topic);
            var total = _total - previous + bytes;
            if (bytes > 0 && total > MaxBytes && bytes > previous)
            {
                return false;
            }

            if (bytes == 0)
            {
                _sizes.Remove(topic);
            }
            else
            {
                _sizes[topic] = bytes;
            }

            _total = total;
            return true;
        }
    }

    /// <summary>Counts messages already held (loaded from disk at start), whatever the cap.</summary>
    public void Seed(string topic, long bytes)
    {
        ArgumentNullException.ThrowIfNull(topic);
        lock (_gate)
        {
            _total += bytes - _sizes.GetValueOrDefault(topic);
            _sizes[topic] = bytes;
        }
    }

    /// <summary>Forgets every message (the broker's retained messages were cleared).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _sizes.Clear();
            _total = 0;
        }
    }
}
