using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using EdgeRuntime.Delivery.Manifests;

namespace EdgeRuntime.Delivery.Transfer;

/// <summary>
/// Fetches chunks from the manifest's URL instead of the broker — for models larger than the broker's message
/// limit, or fleets that keep models on a web server. The bytes are checked against the same signed chunk hashes,
/// so the URL need not be trusted: <c>https://</c> always, <c>http://</c> only when allowed (integrity comes
/// from the signature; https adds confidentiality), <c>file://</c> for a mounted share. Missing chunks are read
/// in contiguous runs with HTTP range requests (a server that ignores ranges is read from the start).
/// </summary>
public sealed class UrlChunkSource(HttpClient http, bool allowPlainHttp) : IChunkSource
{
    /// <inheritdoc />
    public async Task FetchAsync(ModelManifest manifest, IReadOnlyList<int> missing, ChunkHandlers handlers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(missing);
        ArgumentNullException.ThrowIfNull(handlers);
        var accept = handlers.Accept;
        var url = new Uri(manifest.Url ?? throw new ArgumentException($"{manifest} has no url", nameof(manifest)));
        if (url.Scheme == "http" && !allowPlainHttp)
        {
            throw new TransferException($"{manifest} is offered at plain http ({url.Host}); allow it with Delivery:AllowPlainHttp or publish an https:// or file:// URL");
        }

        foreach (var (first, last) in Runs(missing))
        {
            await using var stream = url.IsFile
                ? OpenFileRange(url, manifest, first)
                : await OpenHttpRangeAsync(url, manifest, first, last, cancellationToken);
            await ReadRunAsync(stream, manifest, first, last, accept, cancellationToken);
        }
    }

    private static Stream OpenFileRange(Uri url, ModelManifest manifest, int first)
    {
        var stream = new FileStream(url.LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        if (stream.Length < manifest.Length)
        {
            var length = stream.Length;
            stream.Dispose();
            throw new TransferException($"{manifest} at {url} is {length} bytes; the manifest says {manifest.Length} (truncated)");
        }

        stream.Position = manifest.ChunkOffset(first);
        return stream;
    }

    private async Task<Stream> OpenHttpRangeAsync(Uri url, ModelManifest manifest, int first, int last, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        var from = manifest.ChunkOffset(first);
        var to = manifest.ChunkOffset(last) + manifest.ChunkLength(last) - 1;
        request.Headers.Range = new RangeHeaderValue(from, to);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.PartialContent))
        {
            response.Dispose();
            throw new HttpRequestException($"{url} answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        if (response.StatusCode == HttpStatusCode.OK && from > 0)
        {
            // The server sent the whole file; skip to the run.
            await SkipAsync(stream, from, manifest, url, cancellationToken);
        }

        return stream;
    }

    private static async Task ReadRunAsync(Stream stream, ModelManifest manifest, int first, int last, Action<int, ReadOnlyMemory<byte>> accept, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(manifest.ChunkSize);
        try
        {
            for (var index = first; index <= last; index++)
            {
                var length = manifest.ChunkLength(index);
                var read = await stream.ReadAtLeastAsync(buffer.AsMemory(0, length), length, throwOnEndOfStream: false, cancellationToken);
                if (read < length)
                {
                    throw new TransferException($"{manifest}: the source ended at byte {manifest.ChunkOffset(index) + read} of {manifest.Length} (truncated)");
                }

                accept(index, buffer.AsMemory(0, length));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task SkipAsync(Stream stream, long count, ModelManifest manifest, Uri url, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            while (count > 0)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken);
                if (read == 0)
                {
                    throw new TransferException($"{manifest} at {url} ended before byte {count} (truncated)");
                }

                count -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Contiguous runs of chunk indices, so each run is one request.</summary>
    internal static IEnumerable<(int First, int Last)> Runs(IReadOnlyList<int> indices)
    {
        var sorted = indices.Order().ToList();
        for (var i = 0; i < sorted.Count;)
        {
            var j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1)
            {
                j++;
            }

            yield return (sorted[i], sorted[j]);
            i = j + 1;
        }
    }
}
