using EdgeRuntime.Federated.Signing;
using EdgeRuntime.Federated.Updates;
using Microsoft.Extensions.Logging;

namespace EdgeRuntime.Federated.Aggregation;

/// <summary>
/// An aggregator without its transport: it takes the bytes of received updates (and, on the lead, members' partial
/// sums), decides with the pure rules (<see cref="UpdateAdmission"/>, <see cref="AggregationPlanner"/>,
/// <see cref="AggregationRules"/>, <see cref="ServerOptimizer"/>), keeps everything in its <see cref="AggregatorStore"/>
/// and answers with receipts and new versions for the host to send. Every batch is committed (fsynced) before its
/// receipts are returned, so a receipt is never sent for something a kill -9 could lose; after a restart the buffered
/// sums are rebuilt from the stored update bytes and the lead republishes any version it made but had not published.
/// Thread-safe (one call at a time).
/// </summary>
public sealed partial class AggregatorCore : IDisposable
{
    private readonly AggregatorSettings _settings;
    private readonly GlobalModel _model;
    private readonly EnrolledDevices _devices;
    private readonly AggregatorSignatureCheck _checkAggregator;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly AggregatorStore _store;
    private readonly Lock _gate = new();
    private readonly bool _robust;
    private PartialSums _sums;
    private List<BufferedDelta> _vectors = [];
    private List<DateTimeOffset> _bufferedAt = [];
    private float[] _parameters;
    private ServerOptimizerState _optimizer;
    private readonly int _modelLength;
    private long _undecodable;

    private AggregatorCore(AggregatorSettings settings, GlobalModel model, EnrolledDevices devices, AggregatorSignatureCheck checkAggregator, TimeProvider timeProvider, ILogger logger)
    {
        _settings = settings;
        _model = model;
        _devices = devices;
        _checkAggregator = checkAggregator;
        _timeProvider = timeProvider;
        _logger = logger;
        _robust = settings.Options.Combine != CombineRule.Mean;
        _sums = new PartialSums(model.Layout.Length);
        _store = new AggregatorStore(settings.DatabasePath);
        _parameters = model.InitialParameters;
        _modelLength = ControlVariates.ModelLength(model.Layout);
        _optimizer = ServerOptimizerState.Initial;
    }

    /// <summary>The model.</summary>
    public string Model => _settings.Model;

    /// <summary>Lead or member.</summary>
    public AggregatorRole Role => _settings.Role;

    /// <summary>The settings.</summary>
    public AggregatorSettings Settings => _settings;

    /// <summary>The update layout.</summary>
    public ParameterLayout Layout => _model.Layout;

    /// <summary>The newest global version (the lead's own; on a member the newest it has seen announced, 0 before).</summary>
    public long Version { get; private set; }

    /// <summary>The first version the lead made.</summary>
    public long FirstVersion { get; private set; }

    /// <summary>When <see cref="Version"/> was made (the lead's round start).</summary>
    public DateTimeOffset VersionSince { get; private set; }

    /// <summary>The current global parameters (the lead's).</summary>
    public ReadOnlySpan<float> Parameters => _parameters;

    /// <summary>Updates folded and not yet in a version (lead) or not yet sent to the lead (member).</summary>
    public int Buffered
    {
        get
        {
            lock (_gate)
            {
                return _robust ? _vectors.Count : _sums.Count;
            }
        }
    }

    /// <summary>Messages that were not updates at all (no receipt can be sent for them).</summary>
    public long Undecodable => Interlocked.Read(ref _undecodable);

    /// <summary>
    /// Opens (or creates) the aggregator's state and rebuilds what is buffered. A new lead writes its first version
    /// (the template's parameters) for the host to publish.
    /// </summary>
    /// <param name="settings">Who it is.</param>
    /// <param name="model">The model template.</param>
    /// <param name="devices">Enrolled device keys.</param>
    /// <param name="checkAggregator">Checks a partial's signature (the aggregators' key); returns null when valid.</param>
    /// <param name="timeProvider">The clock (simulated in simulations).</param>
    /// <param name="logger">Log.</param>
    public static AggregatorCore Open(AggregatorSettings settings, GlobalModel model, EnrolledDevices devices, AggregatorSignatureCheck checkAggregator, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(devices);
        if (settings.Options.Check() is { } problem)
        {
            throw new ArgumentException(problem, nameof(settings));
        }

        if (settings.Options.Combine != CombineRule.Mean && ControlVariates.Has(model.Layout))
        {
            throw new ArgumentException($"{settings.Options.Combine} with SCAFFOLD's control variates: the correction assumes c is the mean of the devices' cᵢ, and a median or trimmed mean of them biases every device's steps; use the mean rule or no control variates", nameof(settings));
        }

        var core = new AggregatorCore(settings, model, devices, checkAggregator, timeProvider, logger);
        try
        {
            core.Recover();
            return core;
        }
        catch
        {
            core.Dispose();
            throw;
        }
    }

    /// <summary>Per device, how many of its updates ended how (the lead's is the fleet's accounting).</summary>
    public IReadOnlyDictionary<string, DeviceAccount> Accounts()
    {
        lock (_gate)
        {
            return _store.Accounts().ToDictionary(a => a.Key, a => DeviceAccount.From(a.Value), StringComparer.Ordinal);
        }
    }

    /// <summary>Every version made, in order.</summary>
    public IReadOnlyList<VersionRecord> Versions()
    {
        lock (_gate)
        {
            return _store.Versions(unpublishedOnly: false);
        }
    }

    /// <summary>Versions made but not yet marked published (publish them, then <see cref="MarkPublished"/>).</summary>
    public IReadOnlyList<VersionRecord> Unpublished()
    {
        lock (_gate)
        {
            return _store.Versions(unpublishedOnly: true);
        }
    }

    /// <summary>Records that <paramref name="version"/> is on the broker.</summary>
    public void MarkPublished(long version)
    {
        lock (_gate)
        {
            _store.MarkPublished(version);
        }
    }

    /// <summary>A member learns of a newer version from its (verified) manifest.</summary>
    public void ObserveVersion(long version)
    {
        lock (_gate)
        {
            if (version > Version)
            {
                using var transaction = _store.Begin();
                _store.SetMeta(transaction, "version", version);
                transaction.Commit();
                Version = version;
                VersionSince = _timeProvider.GetUtcNow();
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _store.Dispose();

    private void Recover()
    {
        var now = _timeProvider.GetUtcNow();
        if (_store.MetaLong("version") is { } version)
        {
            Version = version;
            FirstVersion = _store.MetaLong("first_version") ?? version;
            VersionSince = new DateTimeOffset(_store.MetaLong("version_since") ?? now.UtcTicks, TimeSpan.Zero);
            if (_settings.Role == AggregatorRole.Lead)
            {
                _parameters = _store.Parameters(version) ?? throw new InvalidDataException($"aggregator state {_settings.DatabasePath}: the parameters of v{version} are missing");
                _optimizer = _store.Optimizer();
            }
        }
        else if (_settings.Role == AggregatorRole.Lead)
        {
            // A new lead: the template is the first version.
            var first = _settings.InitialVersion ?? Math.Max(1, _model.TemplateVersion);
            var path = _settings.VersionPath(first);
            var sha = _model.WriteVersion(first, _model.InitialParameters, path);
            using var transaction = _store.Begin();
            _store.InsertVersion(transaction, first, path, sha, now.UtcTicks, 0, _model.InitialParameters);
            _store.SetMeta(transaction, "version", first);
            _store.SetMeta(transaction, "first_version", first);
            _store.SetMeta(transaction, "version_since", now.UtcTicks);
            _store.SetMeta(transaction, "model", _settings.Model);
            _store.SaveOptimizer(transaction, ServerOptimizerState.Initial);
            transaction.Commit();
            Version = first;
            FirstVersion = first;
            VersionSince = now;
        }

        if (_store.Meta("model") is { } model && model != _settings.Model)
        {
            throw new InvalidDataException($"aggregator state {_settings.DatabasePath} belongs to model '{model}', not '{_settings.Model}'");
        }

        RebuildBuffer();
    }

    // The in-memory buffer from the stored rows: a lead's whole buffer and held partials, a member's unsent share.
    private void RebuildBuffer()
    {
        _sums = new PartialSums(_model.Layout.Length);
        _vectors = [];
        _bufferedAt = [];
        foreach (var row in _store.Buffer(unsentOnly: _settings.Role == AggregatorRole.Member))
        {
            var parts = UpdateCodec.Split(row.Bytes);
            var delta = UpdateCodec.DecodeBody(parts.Header, parts.Body.Span);
            Fold(row.UpdateId, row.BaseVersion, row.Samples, Clip(delta), new DateTimeOffset(row.ReceivedTicks, TimeSpan.Zero));
        }

        if (_settings.Role == AggregatorRole.Lead)
        {
            foreach (var (_, receivedTicks, body) in _store.Partials())
            {
                FoldPartial(PartialAggregate.Read(SignedFrame.Split(body, PartialAggregate.Magic, "stored partial")), new DateTimeOffset(receivedTicks, TimeSpan.Zero));
            }
        }
    }

    private void Fold(string id, long baseVersion, long samples, float[] delta, DateTimeOffset at)
    {
        if (_robust)
        {
            _vectors.Add(new BufferedDelta(id, baseVersion, samples, delta));
        }
        else
        {
            _sums.Add(baseVersion, delta, samples);
        }

        _bufferedAt.Add(at);
    }

    private void FoldPartial(PartialAggregate partial, DateTimeOffset at)
    {
        if (partial.Sums is { } sums)
        {
            _sums.Merge(sums);
        }

        _vectors.AddRange(partial.Vectors);
        _bufferedAt.AddRange(Enumerable.Repeat(at, partial.Header.Updates.Count));
    }

    // The aggregator bounds every delta again (L2, in double): a device's own clipping is not trusted.
    // The weights and, where the layout carries SCAFFOLD's control variates, the controls each to the bound.
    private float[] Clip(float[] delta)
    {
        ControlVariates.ClipParts(delta, _modelLength, _settings.Options.ClipNorm);
        return delta;
    }

    private long Weight(long samples) => Math.Clamp(samples, 1, _settings.Options.MaxSampleWeight);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Model} v{Version} made from {Updates} updates ({Reason})")]
    private static partial void LogVersion(ILogger logger, string model, long version, int updates, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partial {PartialId} from {From} refused: {Reason}")]
    private static partial void LogPartialRefused(ILogger logger, string partialId, string from, string reason);
}

/// <summary>Checks the signature of a partial (by key id, over the signed bytes); null when valid, else why not.</summary>
public delegate string? AggregatorSignatureCheck(string keyId, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature);

/// <summary>One device's updates by outcome in an aggregator's ledger.</summary>
/// <param name="Buffered">Waiting for the next version (lead) or to be sent to the lead (member).</param>
/// <param name="Applied">In a version.</param>
/// <param name="Forwarded">Sent to the lead in an accepted partial (member).</param>
/// <param name="Expired">Too stale.</param>
/// <param name="Rejected">Refused.</param>
/// <param name="Duplicate">Sent to the lead twice (member: the lead had it from elsewhere).</param>
public sealed record DeviceAccount(long Buffered, long Applied, long Forwarded, long Expired, long Rejected, long Duplicate)
{
    /// <summary>Every update this ledger counts once.</summary>
    public long Total => Buffered + Applied + Forwarded + Expired + Rejected + Duplicate;

    internal static DeviceAccount From(IReadOnlyDictionary<string, long> counts) => new(
        counts.GetValueOrDefault(LedgerOutcomes.Buffered),
        counts.GetValueOrDefault(LedgerOutcomes.Applied),
        counts.GetValueOrDefault(LedgerOutcomes.Forwarded),
        counts.GetValueOrDefault(LedgerOutcomes.Expired),
        counts.GetValueOrDefault(LedgerOutcomes.Rejected),
        counts.GetValueOrDefault(LedgerOutcomes.Duplicate));
}

/// <summary>The ledger's outcome names.</summary>
internal static class LedgerOutcomes
{
    public const string Buffered = "buffered";
    public const string Applied = "applied";
    public const string Forwarded = "forwarded";
    public const string Expired = "expired";
    public const string Rejected = "rejected";
    public const string Duplicate = "duplicate";
}
