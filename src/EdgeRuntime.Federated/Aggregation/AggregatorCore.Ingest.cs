using EdgeRuntime.Core.Outbox;
using EdgeRuntime.Federated.Updates;

namespace EdgeRuntime.Federated.Aggregation;

public sealed partial class AggregatorCore
{
    /// <summary>
    /// Takes a batch of received updates: each is checked (framing, duplicate id, signature by the device's enrolled
    /// key, model, tensors, base version, staleness), decoded, clipped to the aggregator's bound and folded; the whole
    /// batch is committed in one transaction, then the receipts are returned for the host to send (grouped by device).
    /// </summary>
    public IngestResult Ingest(IReadOnlyList<ReadOnlyMemory<byte>> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var now = _timeProvider.GetUtcNow();
        var parsed = new List<UpdateParts>(messages.Count);
        var sources = new List<ReadOnlyMemory<byte>>(messages.Count);
        foreach (var message in messages)
        {
            try
            {
                parsed.Add(UpdateCodec.Split(message));
                sources.Add(message);
            }
            catch (InvalidDataException)
            {
                Interlocked.Increment(ref _undecodable);
            }
        }

        var receipts = new List<DeviceReceipt>(parsed.Count);
        var folded = new List<(string Id, long Base, long Weight, float[] Delta)>();
        int accepted = 0, duplicates = 0, expired = 0, rejected = 0;
        lock (_gate)
        {
            using var transaction = _store.Begin();
            var known = _store.Ledger(parsed.Select(p => p.Header.UpdateId), transaction);
            var inBatch = new HashSet<string>(StringComparer.Ordinal);
            for (var p = 0; p < parsed.Count; p++)
            {
                var parts = parsed[p];
                var header = parts.Header;
                if (known.ContainsKey(header.UpdateId) || !inBatch.Add(header.UpdateId))
                {
                    duplicates++;
                    receipts.Add(new DeviceReceipt(header.DeviceId, new ReceiptEntry(header.UpdateId, OutboxOutcome.Duplicate)));
                    continue;
                }

                var admission = _devices.Check(header.DeviceId, parts.KeyId, parts.SignedPart.Span, parts.Signature.Span) is { } signatureProblem
                    ? new AdmissionOutcome(AdmissionCode.Reject, signatureProblem)
                    : UpdateAdmission.Check(header, _settings.Model, _model.Layout, Version, _settings.Role == AggregatorRole.Lead ? FirstVersion : 0, _settings.Options, versionKnownExactly: _settings.Role == AggregatorRole.Lead);
                float[]? delta = null;
                if (admission.Code == AdmissionCode.Accept)
                {
                    try
                    {
                        delta = Clip(UpdateCodec.DecodeBody(header, parts.Body.Span));
                    }
                    catch (InvalidDataException ex)
                    {
                        admission = new AdmissionOutcome(AdmissionCode.Reject, ex.Message);
                    }
                }

                var outcome = admission.Code switch
                {
                    AdmissionCode.Accept => LedgerOutcomes.Buffered,
                    AdmissionCode.Expire => LedgerOutcomes.Expired,
                    _ => LedgerOutcomes.Rejected,
                };
                _store.InsertLedger(transaction, new LedgerRow(header.UpdateId, header.DeviceId, header.BaseVersion, header.Samples, outcome, admission.Reason, null, false, now.UtcTicks));
                switch (admission.Code)
                {
                    case AdmissionCode.Accept:
                        // The whole signed message is kept: after a crash the buffer is rebuilt from it, checks and all.
                        _store.InsertBuffer(transaction, header.UpdateId, header.BaseVersion, Weight(header.Samples), now.UtcTicks, sources[p]);
                        folded.Add((header.UpdateId, header.BaseVersion, Weight(header.Samples), delta!));
                        accepted++;
                        receipts.Add(new DeviceReceipt(header.DeviceId, new ReceiptEntry(header.UpdateId, OutboxOutcome.Accepted)));
                        break;
                    case AdmissionCode.Expire:
                        expired++;
                        receipts.Add(new DeviceReceipt(header.DeviceId, new ReceiptEntry(header.UpdateId, OutboxOutcome.Expired, admission.Reason)));
                        break;
                    default:
                        rejected++;
                        receipts.Add(new DeviceReceipt(header.DeviceId, new ReceiptEntry(header.UpdateId, OutboxOutcome.Rejected, admission.Reason)));
                        break;
                }
            }

            transaction.Commit();

            // Only what is on disk is in memory: a failed commit leaves both as they were.
            foreach (var (id, baseVersion, weight, delta) in folded)
            {
                Fold(id, baseVersion, weight, delta, now);
            }
        }

        return new IngestResult(receipts, accepted, duplicates, expired, rejected, messages.Count - parsed.Count);
    }
}

/// <summary>A receipt for one device.</summary>
/// <param name="DeviceId">The device the update named.</param>
/// <param name="Receipt">The receipt.</param>
public readonly record struct DeviceReceipt(string DeviceId, ReceiptEntry Receipt);

/// <summary>What a batch of updates came to.</summary>
/// <param name="Receipts">One per decodable update, to send.</param>
/// <param name="Accepted">Buffered.</param>
/// <param name="Duplicates">Seen before.</param>
/// <param name="Expired">Too stale.</param>
/// <param name="Rejected">Refused.</param>
/// <param name="Undecodable">Not updates at all.</param>
public sealed record IngestResult(IReadOnlyList<DeviceReceipt> Receipts, int Accepted, int Duplicates, int Expired, int Rejected, int Undecodable);
