using System.Collections.Concurrent;
using EdgeRuntime.Graph.Ir;

namespace EdgeRuntime.Inference.Serving;

/// <summary>
/// The models this device serves, by name, each replaceable while requests flow: <see cref="Swap"/> makes a new
/// version current in one atomic step; requests that started on the old one finish on it, new ones get the new
/// one, and the old session is disposed once its last request is done. Thread-safe.
/// </summary>
public sealed class ModelServer : IDisposable, Core.Models.IServingModelSource
{
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);

    /// <summary>Raised after a model's serving version changed (name, new version).</summary>
    public event Action<string, long>? Swapped;

    /// <summary>The names with a version in service.</summary>
    public IReadOnlyList<string> Names => [.. _slots.Where(s => s.Value.Current is not null).Select(s => s.Key).Order(StringComparer.Ordinal)];

    /// <summary>The version serving <paramref name="name"/>, or null.</summary>
    public long? ServingVersion(string name) => _slots.TryGetValue(name, out var slot) ? slot.Current?.Version : null;

    /// <summary>The installed file the serving version of <paramref name="name"/> was made from, or null.</summary>
    public Core.Models.InstalledModel? ServingSource(string name) => _slots.TryGetValue(name, out var slot) ? slot.Current?.Source : null;

    /// <summary>The plan serving <paramref name="name"/>, or null.</summary>
    public string? ServingPlan(string name) => _slots.TryGetValue(name, out var slot) ? slot.Current?.Plan : null;

    /// <summary>
    /// Makes <paramref name="next"/> the serving version of its model. Returns the previous one's drain (completes
    /// when its last request finished and its session was disposed), or a completed task when there was none.
    /// </summary>
    public Task Swap(ServedModel next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var slot = _slots.GetOrAdd(next.Name, _ => new Slot());
        var previous = Interlocked.Exchange(ref slot.CurrentField, next);
        Swapped?.Invoke(next.Name, next.Version);
        if (previous is null)
        {
            return Task.CompletedTask;
        }

        previous.Release();
        return previous.Drained;
    }

    /// <summary>
    /// Takes the serving version of <paramref name="name"/> for one request; dispose the lease when done. The
    /// session stays valid until then even if a swap happens meanwhile.
    /// </summary>
    /// <exception cref="ModelNotServingException">No version of <paramref name="name"/> is in service.</exception>
    public ModelLease Acquire(string name)
    {
        if (_slots.TryGetValue(name, out var slot))
        {
            while (Volatile.Read(ref slot.CurrentField) is { } current)
            {
                if (current.TryAcquire())
                {
                    return new ModelLease(current);
                }

                // Swapped and drained between the read and the acquire: read the new one.
            }
        }

        throw new ModelNotServingException(name);
    }

    /// <summary>Runs one request on the serving version; the result says which version answered.</summary>
    /// <exception cref="ModelNotServingException">No version is in service.</exception>
    public InferenceResult Run(string name, IReadOnlyDictionary<string, Tensor> inputs, IReadOnlyList<string>? outputs = null)
    {
        using var lease = Acquire(name);
        return new InferenceResult(name, lease.Model.Version, lease.Model.Session.Run(inputs, outputs));
    }

    /// <summary>Takes every model out of service; sessions are disposed as their requests finish.</summary>
    public void Dispose()
    {
        foreach (var slot in _slots.Values)
        {
            Interlocked.Exchange(ref slot.CurrentField, null)?.Release();
        }
    }

    private sealed class Slot
    {
        public ServedModel? CurrentField;

        public ServedModel? Current => Volatile.Read(ref CurrentField);
    }
}

/// <summary>One request's hold on a served version. Dispose it when the request is done.</summary>
public readonly struct ModelLease : IDisposable
{
    internal ModelLease(ServedModel model) => Model = model;

    /// <summary>The version held.</summary>
    public ServedModel Model { get; }

    /// <inheritdoc />
    public void Dispose() => Model?.Release();
}

/// <summary>An answer and the version that produced it.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Version">The version that computed the outputs.</param>
/// <param name="Outputs">The outputs by name.</param>
public sealed record InferenceResult(string Model, long Version, Dictionary<string, Tensor> Outputs);

/// <summary>A request named a model that has no version in service.</summary>
public sealed class ModelNotServingException : Exception
{
    /// <summary>Creates the exception for <paramref name="name"/>.</summary>
    public ModelNotServingException(string name)
        : base($"model '{name}' is not serving")
    {
        Name = name;
    }

    /// <summary>Creates the exception without details.</summary>
    public ModelNotServingException()
    {
        Name = string.Empty;
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public ModelNotServingException(string message, Exception innerException)
        : base(message, innerException)
    {
        Name = string.Empty;
    }

    /// <summary>The model's name.</summary>
    public string Name { get; }
}
