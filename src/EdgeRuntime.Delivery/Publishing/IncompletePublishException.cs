namespace EdgeRuntime.Delivery.Publishing;

/// <summary>
/// A publish that could not be proven complete: after every retry (or when its time ran out) some chunks or manifests
/// were not retained on the broker. The message is one line naming the version, how many chunks are there and which
/// are missing (as index ranges).
/// </summary>
public sealed class IncompletePublishException : Exception
{
    /// <summary>Creates the exception.</summary>
    public IncompletePublishException(string message, IReadOnlyList<int> missingChunks, bool manifestMissing)
        : base(message)
    {
        MissingChunks = missingChunks;
        ManifestMissing = manifestMissing;
    }

    /// <summary>Creates the exception without details.</summary>
    public IncompletePublishException()
    {
        MissingChunks = [];
    }

    /// <summary>Creates the exception with a message.</summary>
    public IncompletePublishException(string message)
        : base(message)
    {
        MissingChunks = [];
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public IncompletePublishException(string message, Exception innerException)
        : base(message, innerException)
    {
        MissingChunks = [];
    }

    /// <summary>The chunks not retained (or not verified) on the broker.</summary>
    public IReadOnlyList<int> MissingChunks { get; }

    /// <summary>Whether a manifest (the version's or the latest) is not retained.</summary>
    public bool ManifestMissing { get; }

    /// <summary>Indices as ranges: <c>0-12, 15, 40-41</c>, at most <paramref name="maxRanges"/> of them.</summary>
    public static string Ranges(IEnumerable<int> indices, int maxRanges = 20)
    {
        var sorted = indices.Order().ToList();
        var ranges = new List<string>();
        for (var i = 0; i < sorted.Count;)
        {
            var j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1)
            {
                j++;
            }

            ranges.Add(i == j ? $"{sorted[i]}" : $"{sorted[i]}-{sorted[j]}");
            i = j + 1;
        }

        return ranges.Count <= maxRanges ? string.Join(", ", ranges) : $"{string.Join(", ", ranges.Take(maxRanges))} and {ranges.Count - maxRanges} more ranges";
    }
}
