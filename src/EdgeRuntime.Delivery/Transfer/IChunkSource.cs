using EdgeRuntime.Delivery.Manifests;

namespace EdgeRuntime.Delivery.Transfer;

/// <summary>Where a model version's chunks come from: the broker, or the manifest's URL.</summary>
public interface IChunkSource
{
    /// <summary>
    /// Fetches the chunks <paramref name="missing"/> of <paramref name="manifest"/> and hands each to
    /// <paramref name="accept"/> (which verifies and stores it, and throws <see cref="TransferException"/> for a bad one,
    /// ending the fetch). Returns when every chunk was accepted. Waits across lost connections; only a bad chunk,
    /// a bad source or cancellation ends it early.
    /// </summary>
    Task FetchAsync(ModelManifest manifest, IReadOnlyList<int> missing, Action<int, ReadOnlyMemory<byte>> accept, CancellationToken cancellationToken);
}
