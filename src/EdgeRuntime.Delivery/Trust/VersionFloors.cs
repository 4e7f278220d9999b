namespace EdgeRuntime.Delivery.Trust;

/// <summary>
/// The highest version each model ever had put into service (<c>trust/versions.json</c>), kept apart from the model
/// store so that losing or deleting the store's <c>state.json</c> — or the whole model folder — does not reset
/// anti-rollback. Where a model has no entry (a first start after an upgrade, or the file was lost), it is restored from
/// the store: the highest of what the store's state records and the versions whose signed manifests are still on disk.
/// Thread-safe.
/// </summary>
public sealed class VersionFloors
{
    private readonly Lock _gate = new();
    private readonly string _path;
    private readonly Dictionary<string, long> _highest;

    /// <summary>Loads <paramref name="path"/>; a damaged file counts as absent (every model is restored from its store), with the reason in <paramref name="problem"/>.</summary>
    public VersionFloors(string path, out string? problem)
    {
        _path = path;
        _highest = TrustFile.Read(path, TrustJsonContext.Default.DictionaryStringInt64, out problem) is { } file
            ? new Dictionary<string, long>(file, StringComparer.Ordinal)
            : new Dictionary<string, long>(StringComparer.Ordinal);
    }

    /// <summary>The highest version recorded for <paramref name="model"/>, or null when none is.</summary>
    public long? Highest(string model)
    {
        lock (_gate)
        {
            return _highest.TryGetValue(model, out var version) ? version : null;
        }
    }

    /// <summary>Records <paramref name="version"/> for <paramref name="model"/> when it is higher than what is recorded (durably).</summary>
    /// <exception cref="IOException">The file could not be written; the higher version is still used until the process ends.</exception>
    public void Raise(string model, long version)
    {
        lock (_gate)
        {
            if (_highest.TryGetValue(model, out var recorded) && recorded >= version)
            {
                return;
            }

            _highest[model] = version;
            TrustFile.Write(_path, _highest, TrustJsonContext.Default.DictionaryStringInt64);
        }
    }
}
