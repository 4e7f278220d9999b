using System.Security.Cryptography;
using System.Text;
using EdgeRuntime.Core.Outbox;
using EdgeRuntime.Federated.Updates;

namespace EdgeRuntime.Federated.Aggregation;

public sealed partial class AggregatorCore
{
    /// <summary>
    /// A member's share since its last partial, once due (<see cref="AggregatorSettings.EffectiveForwardEvery"/> updates,
    /// or the oldest waited <see cref="AggregatorSettings.EffectiveForwardAfter"/>; always when <paramref name="force"/>),
    /// with the outcomes it decided itself. Null when nothing is due. The caller signs it, adds it to its durable outbox,
    /// and then calls <see cref="MarkForwarded"/>; its id depends only on the ids it holds, so a crash in between
    /// rebuilds the same partial and the outbox keeps one.
    /// </summary>
    public PartialAggregate? TakePartial(bool force = false)
    {
        if (_settings.Role != AggregatorRole.Member)
        {
            throw new InvalidOperationException("only a member aggregator sends partial sums");
        }

        lock (_gate)
        {
            var rows = _store.Unreported();
            if (rows.Count == 0)
            {
                return null;
            }

            var now = _timeProvider.GetUtcNow();
            var updates = rows.Where(r => r.Outcome == LedgerOutcomes.Buffered).ToList();
            var oldest = new DateTimeOffset(rows.Min(r => r.AtTicks), TimeSpan.Zero);
            if (!force && updates.Count < _settings.EffectiveForwardEvery && now - oldest < _settings.EffectiveForwardAfter)
            {
                return null;
            }

            var buffered = _robust ? _vectors.Count : _sums.Count;
            if (buffered != updates.Count)
            {
                // The in-memory share and the rows disagree only after a refused partial; the rows are the truth.
                RebuildBuffer();
            }

            var outcomes = rows.Where(r => r.Outcome != LedgerOutcomes.Buffered).ToList();
            var id = PartialId(rows.Select(r => r.UpdateId));
            var header = new PartialHeader
            {
                PartialId = id,
                Model = _settings.Model,
                From = _settings.AggregatorId,
                Length = _model.Layout.Length,
                Vectors = _robust,
                Groups = _robust ? [] : [.. _sums.Groups.Select(g => new PartialGroup(g.Key, g.Value.Weight, g.Value.Count))],
                Updates = [.. (_robust ? _vectors.Select(v => updates.First(u => u.UpdateId == v.UpdateId)) : updates).Select(u => new PartialUpdate(u.UpdateId, u.Device, u.BaseVersion, Weight(u.Samples)))],
                Outcomes = [.. outcomes.Select(o => new PartialOutcome(o.UpdateId, o.Device, o.BaseVersion, o.Outcome, o.Reason))],
            };
            return new PartialAggregate(header, _robust ? null : _sums, _robust ? [.. _vectors] : []);
        }
    }

    /// <summary>Records that <paramref name="partial"/> is in the outbox: its updates leave the unsent share.</summary>
    public void MarkForwarded(PartialAggregate partial)
    {
        ArgumentNullException.ThrowIfNull(partial);
        lock (_gate)
        {
            using (var transaction = _store.Begin())
            {
                foreach (var id in partial.Header.Updates.Select(u => u.Id).Concat(partial.Header.Outcomes.Select(o => o.Id)))
                {
                    _store.Execute(transaction, "UPDATE ledger SET partial_id = $p WHERE update_id = $id AND partial_id IS NULL", ("$p", partial.Header.PartialId), ("$id", id));
                }

                transaction.Commit();
            }

            RebuildBuffer();
        }
    }

    /// <summary>
    /// A member reads the lead's receipt for one of its partials: accepted — its updates are the lead's now (forwarded),
    /// their bytes are dropped; refused for duplicates — those updates are counted as duplicates and dropped, the rest
    /// return to the unsent share; refused otherwise — everything returns to the unsent share.
    /// </summary>
    public void OnPartialReceipt(ReceiptEntry receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        lock (_gate)
        {
            using (var transaction = _store.Begin())
            {
                if (receipt.Outcome is OutboxOutcome.Accepted or OutboxOutcome.Duplicate)
                {
                    _store.Execute(transaction, "DELETE FROM buffer WHERE update_id IN (SELECT update_id FROM ledger WHERE partial_id = $p)", ("$p", receipt.Id));
                    _store.Execute(transaction, "UPDATE ledger SET confirmed = 1, outcome = CASE outcome WHEN $buffered THEN $forwarded ELSE outcome END WHERE partial_id = $p", ("$p", receipt.Id), ("$buffered", LedgerOutcomes.Buffered), ("$forwarded", LedgerOutcomes.Forwarded));
                }
                else
                {
                    foreach (var duplicate in receipt.Duplicates ?? [])
                    {
                        _store.Execute(transaction, "DELETE FROM buffer WHERE update_id = $id", ("$id", duplicate));
                        _store.Execute(transaction, "UPDATE ledger SET outcome = $dup, confirmed = 1 WHERE update_id = $id AND partial_id = $p", ("$dup", LedgerOutcomes.Duplicate), ("$id", duplicate), ("$p", receipt.Id));
                    }

                    _store.Execute(transaction, "UPDATE ledger SET partial_id = NULL WHERE partial_id = $p AND confirmed = 0", ("$p", receipt.Id));
                    LogPartialRefused(_logger, receipt.Id, "the lead", receipt.Reason ?? "no reason given");
                }

                transaction.Commit();
            }

            RebuildBuffer();
        }
    }

    /// <summary>
    /// The lead takes a member's partial: signature (the aggregators' key), model and length checked; a partial already
    /// taken is acknowledged again; one holding an update the lead already has is refused with those ids; groups of
    /// base versions past the staleness bound expire and of unknown versions are rejected; the rest is folded into the
    /// buffer, and every update and outcome enters the ledger — in one transaction, before the receipt is returned.
    /// </summary>
    public ReceiptEntry IngestPartial(ReadOnlyMemory<byte> bytes)
    {
        if (_settings.Role != AggregatorRole.Lead)
        {
            throw new InvalidOperationException("only the lead aggregator takes partial sums");
        }

        PartialAggregate partial;
        try
        {
            var frame = SignedFrame.Split(bytes, PartialAggregate.Magic, "partial aggregate");
            if (_checkAggregator(frame.KeyId, frame.SignedPart.Span, frame.Signature.Span) is { } problem)
            {
                throw new InvalidDataException(problem);
            }

            partial = PartialAggregate.Read(frame);
        }
        catch (InvalidDataException ex)
        {
            Interlocked.Increment(ref _undecodable);
            return new ReceiptEntry("unreadable", OutboxOutcome.Rejected, ex.Message);
        }

        var header = partial.Header;
        if (header.Model != _settings.Model || header.Length != _model.Layout.Length || header.Vectors != _robust)
        {
            return new ReceiptEntry(header.PartialId, OutboxOutcome.Rejected, $"partial of model '{header.Model}' ({header.Length} values, {(header.Vectors ? "vectors" : "sums")}) does not fit this aggregator ('{_settings.Model}', {_model.Layout.Length} values, {(_robust ? "vectors" : "sums")})");
        }

        var now = _timeProvider.GetUtcNow();
        lock (_gate)
        {
            if (_store.HasPartial(header.PartialId))
            {
                return new ReceiptEntry(header.PartialId, OutboxOutcome.Duplicate);
            }

            var known = _store.Ledger(header.Updates.Select(u => u.Id).Concat(header.Outcomes.Select(o => o.Id)));
            var duplicates = header.Updates.Where(u => known.ContainsKey(u.Id)).Select(u => u.Id).ToList();
            if (duplicates.Count > 0)
            {
                LogPartialRefused(_logger, header.PartialId, header.From, $"{duplicates.Count} update(s) already held");
                return new ReceiptEntry(header.PartialId, OutboxOutcome.Rejected, $"{duplicates.Count} update(s) already held", duplicates);
            }

            // Per base version: too old expires, never published is rejected, the rest is buffered.
            string Decide(long baseVersion) =>
                baseVersion > Version || baseVersion < FirstVersion ? LedgerOutcomes.Rejected
                : Version - baseVersion > _settings.Options.MaxStaleness ? LedgerOutcomes.Expired
                : LedgerOutcomes.Buffered;
            var kept = new PartialAggregate(
                header with
                {
                    Groups = [.. header.Groups.Where(g => Decide(g.BaseVersion) == LedgerOutcomes.Buffered)],
                    Updates = [.. header.Updates.Where(u => Decide(u.BaseVersion) == LedgerOutcomes.Buffered)],
                },
                partial.Sums is { } sums ? Without(sums, v => Decide(v) != LedgerOutcomes.Buffered) : null,
                [.. partial.Vectors.Where(v => Decide(v.BaseVersion) == LedgerOutcomes.Buffered)]);
            using (var transaction = _store.Begin())
            {
                foreach (var update in header.Updates)
                {
                    var outcome = Decide(update.BaseVersion);
                    var reason = outcome switch
                    {
                        LedgerOutcomes.Expired => $"base version {update.BaseVersion} is {Version - update.BaseVersion} versions old; at most {_settings.Options.MaxStaleness} are used",
                        LedgerOutcomes.Rejected => $"base version {update.BaseVersion} was never published (versions {FirstVersion}..{Version})",
                        _ => null,
                    };
                    _store.InsertLedger(transaction, new LedgerRow(update.Id, update.Device, update.BaseVersion, update.Samples, outcome, reason, header.PartialId, true, now.UtcTicks));
                }

                foreach (var outcome in header.Outcomes.Where(o => !known.ContainsKey(o.Id)))
                {
                    var name = outcome.Outcome == LedgerOutcomes.Expired ? LedgerOutcomes.Expired : LedgerOutcomes.Rejected;
                    _store.InsertLedger(transaction, new LedgerRow(outcome.Id, outcome.Device, outcome.BaseVersion, 0, name, outcome.Reason, header.PartialId, true, now.UtcTicks));
                }

                _store.InsertPartial(transaction, header.PartialId, header.From, now.UtcTicks, SignedFrame.AppendSignature(kept.ToSignedPart(), string.Empty, []));
                transaction.Commit();
            }

            FoldPartial(kept, now);
            return new ReceiptEntry(header.PartialId, OutboxOutcome.Accepted);
        }
    }

    private static string PartialId(IEnumerable<string> ids)
    {
        var joined = string.Join('\n', ids.Order(StringComparer.Ordinal));
        return "p" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(joined)))[..31];
    }

    private static PartialSums Without(PartialSums sums, Func<long, bool> drop)
    {
        var copy = new PartialSums(sums.Length);
        copy.Merge(sums);
        copy.RemoveGroups(drop);
        return copy;
    }
}
