using System.Globalization;
using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Core.Models;

namespace EdgeRuntime.Delivery.Agent;

/// <summary>
/// A fetch's progress as the fleet sees it: "chunks 12/40" while chunks come (an event every tenth), and — when chunks
/// do not come within the chunk timeout — phase <c>stalled</c>, code <c>chunk-missing</c>, naming the chunks and since
/// when; back to downloading when they arrive. Reports stop once the fetch ended. Thread-safe.
/// </summary>
internal sealed class DownloadWatch(ModelProgressReporter reporter, string model, long version, int total, int resumed, Func<long?> serving)
{
    private const int NamedChunks = 5;
    private readonly Lock _gate = new();
    private readonly SortedDictionary<int, DateTimeOffset> _waiting = [];
    private readonly int _resumed = resumed;
    private int _verified = resumed;
    private int _lastPercent = -1;
    private bool _stalledShown;
    private bool _closed;

    /// <summary>Whether chunks are being waited for now.</summary>
    public bool Stalled
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count > 0;
            }
        }
    }

    /// <summary>The current line, for a command answered while the fetch goes on.</summary>
    public string Describe()
    {
        lock (_gate)
        {
            return Detail();
        }
    }

    /// <summary>The first report (an event, whatever the percentage).</summary>
    public void Start() => Report(force: true);

    public void Verified(int count)
    {
        lock (_gate)
        {
            // Counts are read on several threads before they get here: never go back.
            _verified = Math.Max(_verified, count);
        }

        Report(force: false);
    }

    public void Waiting(int index, DateTimeOffset since)
    {
        lock (_gate)
        {
            _waiting.TryAdd(index, since);
        }

        Report(force: false);
    }

    public void Arrived(int index)
    {
        lock (_gate)
        {
            _waiting.Remove(index);
        }

        Report(force: false);
    }

    /// <summary>The last report (an event); later calls are ignored.</summary>
    public void Finish()
    {
        lock (_gate)
        {
            _waiting.Clear();
        }

        Report(force: true);
        lock (_gate)
        {
            _closed = true;
        }
    }

    /// <summary>Stops reporting (the fetch failed or was preempted; the outcome is reported by others).</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
        }
    }

    private void Report(bool force)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            var stalled = _waiting.Count > 0;
            var percent = total == 0 ? 100 : _verified * 100 / total;
            var phaseChanged = stalled != _stalledShown;
            if (!force && !phaseChanged && percent == _lastPercent && !stalled)
            {
                return;
            }

            var tenth = percent / 10 != _lastPercent / 10;
            _lastPercent = percent;
            _stalledShown = stalled;
            reporter.Report(
                model,
                version,
                stalled ? ModelPhase.Stalled : ModelPhase.Downloading,
                Detail(),
                serving(),
                publishEvent: force || tenth || phaseChanged,
                code: stalled ? RefusalCode.ChunkMissing : null);
        }
    }

    private string Detail()
    {
        var progress = $"chunks {_verified}/{total}" + (_resumed > 0 ? $" ({_resumed} resumed from disk)" : string.Empty);
        if (_waiting.Count == 0)
        {
            return progress;
        }

        var since = _waiting.Values.Min().ToString("u", CultureInfo.InvariantCulture);
        var named = string.Join(", ", _waiting.Keys.Take(NamedChunks));
        var more = _waiting.Count > NamedChunks ? $" and {_waiting.Count - NamedChunks} more" : string.Empty;
        return $"{progress}, waiting since {since} for chunk{(_waiting.Count > 1 ? "s" : string.Empty)} {named}{more} (not on the broker)";
    }
}
