using EdgeRuntime.Federated.Updates;

namespace EdgeRuntime.Federated.Aggregation;

public sealed partial class AggregatorCore
{
    /// <summary>The planner's decision now (lead).</summary>
    public AggregationDecision Plan()
    {
        lock (_gate)
        {
            return AggregationPlanner.Decide(Summary(), _timeProvider.GetUtcNow(), _settings.Options);
        }
    }

    /// <summary>What is buffered, for the planner and the status.</summary>
    public BufferSummary Summary()
    {
        lock (_gate)
        {
            var atVersion = _robust ? _vectors.Count(v => v.BaseVersion == Version) : (_sums.Groups.TryGetValue(Version, out var group) ? group.Count : 0);
            return new BufferSummary(Version, _robust ? _vectors.Count : _sums.Count, atVersion, _bufferedAt.Count > 0 ? _bufferedAt.Min() : null, VersionSince);
        }
    }

    /// <summary>
    /// Makes the next version when the planner says so (or when <paramref name="force"/> and anything is buffered):
    /// combines the buffer, takes the server step, writes and verifies the file, and commits version, parameters,
    /// optimiser state and the ledger (every buffered update → applied in it) in one transaction. Returns the version to
    /// publish, or null. Lead only.
    /// </summary>
    /// <exception cref="InvalidDataException">The new version did not verify; nothing was committed.</exception>
    public VersionRecord? Aggregate(bool force = false)
    {
        if (_settings.Role != AggregatorRole.Lead)
        {
            throw new InvalidOperationException("only the lead aggregator makes versions");
        }

        lock (_gate)
        {
            var decision = AggregationPlanner.Decide(Summary(), _timeProvider.GetUtcNow(), _settings.Options);
            var count = _robust ? _vectors.Count : _sums.Count;
            if (count == 0 || (!decision.Aggregate && !force))
            {
                return null;
            }

            var delta = _robust ? AggregationRules.Robust(_vectors, Version, _settings.Options) : AggregationRules.Mean(_sums, Version, _settings.Options);
            // SCAFFOLD: the weights take the server step; the fleet's control variate becomes the combination of the buffered cᵢ.
            var levels = _modelLength == _parameters.Length ? [] : ControlVariates.Levels(_sums, _modelLength);
            var (parameters, optimizer) = ControlVariates.ServerStep(_parameters, delta, _modelLength, levels, _optimizer, _settings.Options);
            var version = Version + 1;
            var path = _settings.VersionPath(version);
            var sha = _model.WriteVersion(version, parameters, path);
            FaultPoints.Reach(FaultPoints.BeforeVersionCommit);
            var now = _timeProvider.GetUtcNow();
            using (var transaction = _store.Begin())
            {
                _store.InsertVersion(transaction, version, path, sha, now.UtcTicks, count, parameters);
                _store.SaveOptimizer(transaction, optimizer);
                _store.Execute(transaction, "UPDATE ledger SET outcome = $applied, version = $v WHERE outcome = $buffered", ("$applied", LedgerOutcomes.Applied), ("$v", version), ("$buffered", LedgerOutcomes.Buffered));
                _store.Execute(transaction, "DELETE FROM buffer");
                _store.Execute(transaction, "DELETE FROM partials");
                _store.SetMeta(transaction, "version", version);
                _store.SetMeta(transaction, "version_since", now.UtcTicks);
                transaction.Commit();
            }

            _parameters = parameters;
            _optimizer = optimizer;
            Version = version;
            VersionSince = now;
            _sums = new PartialSums(_model.Layout.Length);
            _vectors = [];
            _bufferedAt = [];
            LogVersion(_logger, _settings.Model, version, count, force && !decision.Aggregate ? "forced" : decision.Reason);
            return new VersionRecord(version, path, sha, now, count, false);
        }
    }
}
