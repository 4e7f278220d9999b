using System.Collections.Concurrent;

namespace EdgeRuntime.Core.Models;

/// <summary>
/// The device's live list of model states. Delivery, the optimiser and serving report here; the
/// presence publisher reads <see cref="Snapshot"/> and republishes the device status on
/// <see cref="Changed"/>. Thread-safe.
/// </summary>
public sealed class ModelStatusBoard
{
    private readonly ConcurrentDictionary<string, ModelStatus> _models = new(StringComparer.Ordinal);

    /// <summary>Raised after any model's state changed. Handlers must not block.</summary>
    public event Action? Changed;

    /// <summary>Sets the state of a model, replacing what was reported before.</summary>
    public void Report(ModelStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        _models[status.Name] = status;
        Changed?.Invoke();
    }

    /// <summary>Forgets a model (it was removed from the device).</summary>
    public void Remove(string name)
    {
        if (_models.TryRemove(name, out _))
        {
            Changed?.Invoke();
        }
    }

    /// <summary>The states of all models, ordered by name.</summary>
    public IReadOnlyList<ModelStatus> Snapshot() =>
        [.. _models.Values.OrderBy(m => m.Name, StringComparer.Ordinal)];
}
