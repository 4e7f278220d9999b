using EdgeRuntime.Core.Delivery;
using EdgeRuntime.Delivery.Agent.Steps;
using EdgeRuntime.Delivery.Store;

namespace EdgeRuntime.Delivery.Agent;

/// <summary>
/// Observes where a model stands, for the planner: the store's state (rebuilt from the version folders when the state
/// file is damaged), every stored version inspected (signed manifest, file length; the model file's sha256 too when
/// asked, and damage found before by a check), the partial downloads, what serves, what failed, and disk use.
/// </summary>
internal sealed class CurrentStateReader(StepEffects effects)
{
    /// <summary>Reads the current state of <paramref name="model"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="memory">The model's loop memory.</param>
    /// <param name="verifyAll">Hash every stored model file (a repair command).</param>
    /// <param name="stateRebuilt">Told, once per rebuild, what was wrong with the state file and what it holds now.</param>
    public CurrentModel Read(string model, ReconcilerMemory memory, bool verifyAll, Action<long?, string> stateRebuilt)
    {
        var store = effects.Store;
        var hasBuiltIn = effects.BuiltIns?.Names.Contains(model, StringComparer.Ordinal) == true;
        var stored = store.Inspect(model, effects.TrustedKeys, _ => verifyAll)
            .Select(s => s.Usable && !verifyAll && memory.DamageOf(s.Version, ModelFile(model, s.Version)) is { } problem
                ? s with { Health = StoredHealth.Damaged, Problem = problem }
                : s)
            .ToList();
        var serving = effects.Activator.ServingVersion(model);
        var state = store.TryState(model, out var stateProblem);
        if (state is not null && !store.HasState(model) && stored.Count > 0)
        {
            // Versions without a state file: it was deleted or lost, which is damage like a garbled one.
            state = null;
            stateProblem = $"the model store's state file for {model} is missing while it holds versions";
        }

        if (state is null)
        {
            // What serves now is the best witness; otherwise the newest intact version, else the built-in one.
            var rebuilt = serving ?? stored.Where(s => s.Usable).Select(s => (long?)s.Version).Max() ?? (hasBuiltIn ? 0 : null);
            try
            {
                state = store.RebuildState(model, rebuilt);
            }
            catch (IOException)
            {
                state = new ModelStoreState(rebuilt, stored.Select(s => s.Version).DefaultIfEmpty(0).Max());
            }

            stateRebuilt(rebuilt, $"{stateProblem}; rebuilt from the store: serving v{rebuilt?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, highest v{state.HighestVersion}");
        }

        return new CurrentModel
        {
            Serving = serving,
            RecordedServing = state.ServingVersion,
            HighestVersion = HighestVersion(model, state, stored),
            HeldThrough = state.HeldThrough,
            Stored = stored,
            HasBuiltIn = hasBuiltIn,
            Downloads = store.Downloads(model),
            RefusedEnvelopes = memory.Refused,
            Failures = [.. memory.Failures.Values],
            Usage = new StoreUsage(store.UsedBytes(), store.QuotaBytes, store.FreeBytes()),
        };
    }

    /// <summary>
    /// Anti-rollback's floor: the highest of the store's state and the trust state's record, which survives the store's
    /// state file; where the trust state has no record for the model, it is restored from the store (its state and the
    /// versions whose signed manifests are on disk) and written back.
    /// </summary>
    private long HighestVersion(string model, ModelStoreState state, IReadOnlyList<StoredVersion> stored)
    {
        var recorded = effects.Trust.Versions.Highest(model);
        var highest = Math.Max(state.HighestVersion, recorded ?? stored.Where(s => s.Usable).Select(s => s.Version).DefaultIfEmpty(0).Max());
        if (highest > (recorded ?? 0))
        {
            try
            {
                effects.Trust.Versions.Raise(model, highest);
            }
            catch (IOException)
            {
                // Still applied from memory; the next read writes it again.
            }
        }

        return highest;
    }

    private string ModelFile(string model, long version) => Path.Combine(effects.Store.VersionFolder(model, version), ModelStore.ModelFileName);
}
