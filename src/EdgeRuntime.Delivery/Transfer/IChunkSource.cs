using EdgeRuntime.Delivery.Manifests;

namespace EdgeRuntime.Delivery.Transfer;

/// <summary>Where a model version's chunks come from: the broker, or the manifest's URL.</summary>
public interface IChunkSource
{
    /// <summary>
    /// Fetches the chunks <paramref name="missing"/> of <paramref name="manifest"/> and hands each to
    /// <paramref name="handlers"/>' Accept. Returns when every chunk was accepted. Waits across lost connections and for
    /// chunks that are not there yet (reporting each wait); only a chunk that stays wrong, a bad source, a disk that
    /// cannot take the bytes, or cancellation ends it early.
    /// </summary>
    Task FetchAsync(ModelManifest manifest, IReadOnlyList<int> missing, ChunkHandlers handlers, CancellationToken cancellationToken);
}

/// <summary>Shorthands for <see cref="IChunkSource"/>.</summary>
public static class ChunkSourceExtensions
{
    /// <summary>Fetches with only an accept callback (no wait reports).</summary>
    public static Task FetchAsync(this IChunkSource source, ModelManifest manifest, IReadOnlyList<int> missing, Action<int, ReadOnlyMemory<byte>> accept, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.FetchAsync(manifest, missing, new ChunkHandlers(accept), cancellationToken);
    }
}
